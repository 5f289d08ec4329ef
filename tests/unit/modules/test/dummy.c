/*
 * dummy.c — test-only translator "test/dummy" for the framework's unit
 * tests: one option of every type (so the loader's parsing and messages
 * can be checked through a real module), a validate() and an init() that
 * can be told to fail, and a trace of init/fini/forget calls the tests
 * read through the exported dummy_trace buffer, and a ctx_free() that
 * notes the context released. As a leaf it answers lookup (the id is made
 * from the name, XL_ID_ROOT for the root) and getattr (ino = 1000 + its
 * slot) and leaves every other fop unimplemented; with several children
 * it is a module that leaves fop slots NULL (which only the top may).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dummy.h"

static const char *const dummy_modes[] = {"fast", "safe", "paranoid", NULL};

static const struct xl_option dummy_options[] = {
    {.key = "flag",
     .type = XL_OPT_BOOL,
     .def = "off",
     .offset = offsetof(struct dummy_conf, flag),
     .desc = "a boolean"},
    {.key = "count",
     .type = XL_OPT_INT,
     .def = "8",
     .min = 1,
     .max = 64,
     .offset = offsetof(struct dummy_conf, count),
     .desc = "an integer in [1, 64]"},
    {.key = "window-size",
     .type = XL_OPT_SIZE,
     .def = "1MB",
     .min = 4096,
     .max = 1073741824,
     .offset = offsetof(struct dummy_conf, size),
     .desc = "a size in [4K, 1G]"},
    {.key = "timeout",
     .type = XL_OPT_TIME,
     .def = "30",
     .min = 100,
     .max = 3600000,
     .offset = offsetof(struct dummy_conf, timeout_ms),
     .desc = "a duration"},
    {.key = "label",
     .type = XL_OPT_STR,
     .offset = offsetof(struct dummy_conf, label),
     .desc = "a string"},
    {.key = "directory",
     .type = XL_OPT_PATH,
     .required = true,
     .offset = offsetof(struct dummy_conf, dir),
     .desc = "a required path"},
    {.key = "mode",
     .type = XL_OPT_ENUM,
     .def = "safe",
     .choices = dummy_modes,
     .offset = offsetof(struct dummy_conf, mode),
     .desc = "an enum"},
    {.key = "allow",
     .type = XL_OPT_ADDRLIST,
     .def = "*",
     .offset = offsetof(struct dummy_conf, allow),
     .desc = "an address list"},
    {.key = "fail-init",
     .type = XL_OPT_BOOL,
     .def = "no",
     .offset = offsetof(struct dummy_conf, fail_init),
     .desc = "make init() fail"},
    {.key = "fail-validate",
     .type = XL_OPT_BOOL,
     .def = "no",
     .offset = offsetof(struct dummy_conf, fail_validate),
     .desc = "make validate() fail"},
    {NULL},
};

/* "init:a init:b fini:b ctx_free:a ctx:c1 ..." — read by the tests. */
char dummy_trace[4096];

static void dummy_note(const char *what, const char *name)
{
	size_t n = strlen(dummy_trace);

	if (n + strlen(what) + strlen(name) + 3 < sizeof(dummy_trace))
		snprintf(dummy_trace + n, sizeof(dummy_trace) - n, "%s:%s ", what, name);
}

static int dummy_validate(struct xl *xl)
{
	struct dummy_conf *c = xl->conf;

	if (c->fail_validate) {
		xl_log(xl, XL_LOG_ERROR, "told to fail validation");
		return -EINVAL;
	}
	return 0;
}

static int dummy_init(struct xl *xl)
{
	struct dummy_conf *c = xl->conf;

	if (c->fail_init) {
		dummy_note("init-fail", xl->name);
		return -EADDRINUSE;
	}
	dummy_note("init", xl->name);
	return 0;
}

static void dummy_fini(struct xl *xl)
{
	dummy_note("fini", xl->name);
}

static void dummy_ctx_free(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	dummy_note("ctx_free", xl->name);
	dummy_note("ctx", (const char *)ctx);
}

static int dummy_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			 struct xl_iatt *attr)
{
	if (attr) {
		memset(attr, 0, sizeof(*attr));
		attr->valid = XL_IATT_INO;
		attr->ino = xl->slot + 1000;
	}
	return 0;
}

/* Every name exists; its id is 0x01 followed by the name's first bytes. */
static int dummy_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
			struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr)
{
	memset(attr, 0, sizeof(*attr));
	if (!dir) {
		attr->id = XL_ID_ROOT;
	} else {
		attr->id.bytes[0] = 1;
		memcpy(attr->id.bytes + 1, name, strnlen(name, 15));
	}
	attr->valid = XL_IATT_ID | XL_IATT_INO;
	attr->ino = xl->slot + 1000;
	return 0;
}

static const struct xl_fops dummy_fops = {
    .lookup = dummy_lookup,
    .getattr = dummy_getattr,
};

const struct xl_module xl_module = {
    .abi = XL_ABI_VERSION,
    .type = "test/dummy",
    .desc = "test-only translator with an option of every type",
    .conf_size = sizeof(struct dummy_conf),
    .options = dummy_options,
    .fops = &dummy_fops,
    .min_children = 0,
    .max_children = 0,
    .validate = dummy_validate,
    .init = dummy_init,
    .fini = dummy_fini,
    .ctx_free = dummy_ctx_free,
};
