/*
 * notify.c — events between volumes (xl_notify_parents).
 *
 * An event goes from a volume to each of its parents: to the parent
 * module's notify() when it has one (which decides whether to pass it
 * on, by calling xl_notify_parents itself), else straight on to that
 * parent's own parents, as if the parent had sent it. Each delivery gets
 * its own copy of the event with from set to the sender, so a handler may
 * change it freely.
 *
 * When an event reaches a volume without parents (the graph's top,
 * whether through the top's notify() or not) the framework acts on it
 * for the graph's user: XL_EV_FORGET drops the inode of ev->id from the
 * table. The top of a one-volume graph (storage alone) counts too: its
 * own FORGET is acted on at once.
 */
#include "config.h"

#include "xlator.h"

/* What the framework does with an event that reached the top. */
static void notify_at_top(struct xl *top, const struct xl_event *ev)
{
	if (ev->type == XL_EV_FORGET && top->graph && top->graph->itable)
		xl_inode_forget_id(top->graph->itable, &ev->id);
}

/* Deliver @ev (from a child of @xl) to @xl. */
static void notify_deliver(struct xl *xl, const struct xl_event *ev)
{
	struct xl_event copy = *ev;

	if (xl->module->notify)
		xl->module->notify(xl, &copy);
	else if (xl->nparents)
		xl_notify_parents(xl, &copy);
	if (!xl->nparents)
		notify_at_top(xl, ev);
}

void xl_notify_parents(struct xl *xl, struct xl_event *ev)
{
	ev->from = xl;
	if (!xl->nparents) {
		notify_at_top(xl, ev);
		return;
	}
	for (size_t i = 0; i < xl->nparents; i++)
		notify_deliver(xl->parents[i], ev);
}
