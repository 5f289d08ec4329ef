/*
 * main.c — xlnfsd: load the volume file, detach, serve until told to stop.
 *
 * Start-up order matters and is the point of this file:
 *   1. parse options; --version, --list-xlators, --check and --exports
 *      end here;
 *   2. load and validate the graph while still attached to the terminal,
 *      so a broken volfile prints FILE:LINE messages and exits 1 with
 *      nothing started; likewise a pid file held by a running instance;
 *   3. open the log, detach (unless -N) keeping a status pipe to the
 *      terminal process, block the signals (before any thread exists, so
 *      workers inherit the mask), lock the pid file in the final process;
 *   4. initialize the graph (nfs/server's init starts the RPC service)
 *      and only then tell the terminal process "ok" (and systemd, under
 *      Type=notify, READY=1: the programs are registered and listening);
 *   5. wait for signals: HUP reopens the log and reloads the volume file
 *      (reload.c: a new graph takes over, mounts stay), USR2 only reopens
 *      the log, USR1 dumps state, TERM/INT finalize the graph (which
 *      drains and unregisters) and exit 0.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemonize.h"
#include "log.h"
#include "manpage.h"
#include "modules.h"
#include "pidfile.h"
#include "reload.h"
#include "signals.h"
#include "xlator.h"

#define MAIN_DEFAULT_LOG  "/var/log/xlnfs/xlnfsd.log"
#define MAIN_DEFAULT_NAME "<default>"

static const char main_default_volfile[] = "volume posix\n"
					   "    type storage/posix\n"
					   "    option directory /srv/xlnfs\n"
					   "end-volume\n"
					   "volume server\n"
					   "    type nfs/server\n"
					   "    option export-dir /\n"
					   "    option root-squash off\n"
					   "    option state-dir /var/lib/xlnfs\n"
					   "    subvolumes posix\n"
					   "end-volume\n";

struct main_opts {
	char *volfile, *pidfile, *logfile, *loglevel, *xlator_dir, *format;
	gboolean foreground, check, list, exports, version;
};

/* Tell systemd (Type=notify) how we are; nothing without it or when not
 * started by systemd (no $NOTIFY_SOCKET). */
static void main_notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	int ret = sd_notify(0, state);

	if (ret < 0)
		xl_logd("main", XL_LOG_WARNING, "sd_notify: %s", g_strerror(-ret));
#else
	(void)state;
#endif
}

/* Diagnostics during start-up: on stderr and kept for the status pipe. */
static void main_diag_capture(void *ctx, const char *msg)
{
	GString *buf = ctx;

	if (!xl_log_is_stderr()) /* else xl_diag logged it there already */
		fprintf(stderr, "%s\n", msg);
	g_string_append_printf(buf, "%s\n", msg);
}

/* A start-up failure: on stderr (the terminal with -N, /dev/null once
 * detached) and kept for the status pipe. */
static void main_fail(GString *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void main_fail(GString *diag, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fputs(msg, stderr);
	if (!xl_log_is_stderr())
		xl_logd("main", XL_LOG_ERROR, "%.*s", (int)strcspn(msg, "\n"), msg);
	g_string_append(diag, msg);
	g_free(msg);
}

/* The daemon runs in "/": make a relative path absolute now. */
static void main_absolutize(char **path)
{
	char *abs;

	if (!*path || g_path_is_absolute(*path) || strcmp(*path, "-") == 0)
		return;
	abs = g_canonicalize_filename(*path, NULL);
	g_free(*path);
	*path = abs;
}

/* Parse the command line; on a usage error print it and return -EINVAL. */
static int main_parse_args(int *argc, char ***argv, struct main_opts *o)
{
	GOptionEntry entries[] = {
	    {"volfile", 'f', 0, G_OPTION_ARG_FILENAME, &o->volfile,
	     "Volume file to serve (default: the built-in one)", "FILE"},
	    {"pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &o->pidfile,
	     "Write and lock the daemon's pid in FILE", "FILE"},
	    {"log-file", 'l', 0, G_OPTION_ARG_FILENAME, &o->logfile,
	     "Log to FILE ('-': stderr; default " MAIN_DEFAULT_LOG ", stderr with -N)", "FILE"},
	    {"log-level", 'L', 0, G_OPTION_ARG_STRING, &o->loglevel,
	     "TRACE, DEBUG, INFO (default), WARNING, ERROR, CRITICAL or NONE", "LEVEL"},
	    {"no-daemon", 'N', 0, G_OPTION_ARG_NONE, &o->foreground, "Stay in the foreground",
	     NULL},
	    {"check", 0, 0, G_OPTION_ARG_NONE, &o->check,
	     "Check the volume file, print the graph and exit", NULL},
	    {"list-xlators", 0, 0, G_OPTION_ARG_NONE, &o->list,
	     "List the translator types with their options and exit", NULL},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &o->format,
	     "With --list-xlators: text (default) or man (roff for xlnfs.vol(5))", "FORMAT"},
	    {"exports", 0, 0, G_OPTION_ARG_NONE, &o->exports,
	     "Print the export table of the volume file (like exportfs -v) and exit", NULL},
	    {"xlator-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->xlator_dir,
	     "Load translators from DIR (default: $XLNFS_XLATOR_PATH or " XLATOR_DIR ")", "DIR"},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &o->version, "Print the version and exit", NULL},
	    {NULL},
	};
	GOptionContext *ctx = g_option_context_new("- userspace NFSv3 server");
	GError *err = NULL;
	int ret = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Serves the translator graph of a volume file over "
					  "NFSv3 and MOUNT.");
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "xlnfsd: %s\nTry 'xlnfsd --help'.\n", err->message);
		g_error_free(err);
		ret = -EINVAL;
	} else if (*argc > 1) {
		fprintf(stderr, "xlnfsd: unexpected argument '%s'\nTry 'xlnfsd --help'.\n",
			(*argv)[1]);
		ret = -EINVAL;
	} else if (o->format && (!o->list || (strcmp(o->format, "text") != 0 &&
					      strcmp(o->format, "man") != 0))) {
		fprintf(stderr, "xlnfsd: --format takes text or man, with --list-xlators\n"
				"Try 'xlnfsd --help'.\n");
		ret = -EINVAL;
	} else if (o->pidfile && !*o->pidfile) {
		fprintf(stderr, "xlnfsd: empty pid file name\nTry 'xlnfsd --help'.\n");
		ret = -EINVAL;
	} else if (o->loglevel && xl_log_level_parse(o->loglevel) < 0) {
		fprintf(stderr,
			"xlnfsd: unknown log level '%s' (expected TRACE, DEBUG, INFO, "
			"WARNING, ERROR, CRITICAL or NONE)\nTry 'xlnfsd --help'.\n",
			o->loglevel);
		ret = -EINVAL;
	}
	g_option_context_free(ctx);
	main_absolutize(&o->pidfile);
	main_absolutize(&o->logfile);
	return ret;
}

static void main_opts_free(struct main_opts *o)
{
	g_free(o->volfile);
	g_free(o->pidfile);
	g_free(o->logfile);
	g_free(o->loglevel);
	g_free(o->xlator_dir);
	g_free(o->format);
}

/* Open the log: -l, else the default file when detaching, else stderr. */
static int main_open_log(const struct main_opts *o)
{
	const char *path = o->logfile;
	int ret;

	if (!path && !o->foreground) {
		char *dir = g_path_get_dirname(MAIN_DEFAULT_LOG);

		if (g_mkdir_with_parents(dir, 0755) < 0) {
			ret = -errno;
			fprintf(stderr, "xlnfsd: cannot create %s: %s\n", dir, g_strerror(-ret));
			g_free(dir);
			return ret;
		}
		g_free(dir);
		path = MAIN_DEFAULT_LOG;
	}
	ret = xl_log_open(path);
	if (ret < 0)
		fprintf(stderr, "xlnfsd: cannot open the log %s: %s\n", path, g_strerror(-ret));
	return ret;
}

/* READY=1 once the graph serves, with a status line systemctl shows. */
static void main_notify_ready(struct xl_graph *graph)
{
	char *state = g_strdup_printf("READY=1\nMAINPID=%ld\nSTATUS=serving volume '%s'",
				      (long)getpid(), graph->top->name);

	main_notify(state);
	g_free(state);
}

/* RELOADING=1 with the time it began, as sd_notify(3) asks. */
static void main_notify_reloading(void)
{
	char *state = g_strdup_printf("RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT,
				      g_get_monotonic_time());

	main_notify(state);
	g_free(state);
}

/* Reopen the log (logrotate moved it) and say so in the new one. */
static void main_reopen_log(const char *signame)
{
	int ret = xl_log_reopen();

	xl_logd("main", ret < 0 ? XL_LOG_ERROR : XL_LOG_INFO, "received %s, log reopened%s%s",
		signame, ret < 0 ? ": " : "", ret < 0 ? g_strerror(-ret) : "");
}

/* Serve until SIGTERM or SIGINT; *@graph changes with each reload. */
static void main_signal_loop(struct xl_graph **graph, struct reload_state *rs,
			     const sigset_t *set)
{
	siginfo_t info;
	int sig;

	for (;;) {
		sig = signals_wait(set, &info);
		switch (sig) {
		case SIGHUP:
			/* logrotate's postrotate and systemctl reload both send it */
			main_reopen_log("SIGHUP");
			main_notify_reloading();
			reload_graph(rs, graph);
			main_notify_ready(*graph);
			break;
		case SIGUSR2:
			main_reopen_log("SIGUSR2");
			break;
		case SIGUSR1:
			xl_logd("main", XL_LOG_INFO, "received SIGUSR1, state dump follows");
			xl_graph_dump(*graph);
			break;
		case SIGTERM:
		case SIGINT:
			xl_logd("main", XL_LOG_INFO, "received %s, shutting down",
				sig == SIGTERM ? "SIGTERM" : "SIGINT");
			main_notify("STOPPING=1");
			return;
		default:
			xl_logd("main", XL_LOG_ERROR, "sigwaitinfo: %s", g_strerror(errno));
			return;
		}
	}
}

/* What nfs/server exports as nfs_server_print_exports. */
typedef int (*main_exports_fn)(struct xl *xl, FILE *fp);

/* --exports: the export table of the graph's nfs/server top volume, found
 * in its module by name (the daemon knows no translator's internals). */
static int main_print_exports(struct xl_graph *graph, const char *volname)
{
	main_exports_fn print;
	struct xl *top = graph->top;

	if (strcmp(top->module->type, "nfs/server") != 0) {
		fprintf(stderr,
			"xlnfsd: %s: the top volume '%s' is %s, not nfs/server: it "
			"exports nothing\n",
			volname, top->name, top->module->type);
		return -EINVAL;
	}
	print = (main_exports_fn)xl_graph_module_symbol(graph, "nfs/server",
							"nfs_server_print_exports");
	if (!print) {
		fprintf(stderr, "xlnfsd: the nfs/server module has no export table printer\n");
		return -ENOSYS;
	}
	printf("# exports of %s (volume '%s')\n", volname, top->name);
	return print(top, stdout);
}

/*
 * Large buffers from the heap, kept for reuse. xl_iobuf_new takes a READ's
 * buffer with posix_memalign(4096, 4 KiB + size); for 1 MiB that is above
 * glibc's mmap threshold, and the alignment padding keeps it just above the
 * threshold glibc raises after each free, so every 1 MiB READ paid an mmap,
 * a munmap and 258 page faults (8.5 ms of server CPU under this project's
 * hypervisor; bench/profile.sh read, doc/bench.md). A fixed threshold above
 * the largest READ/WRITE, and a trim threshold that keeps a few freed
 * megabytes per arena, make those buffers come back warm.
 */
#define MAIN_MMAP_THRESHOLD (8 << 20)
#define MAIN_TRIM_THRESHOLD (64 << 20)

int main(int argc, char **argv)
{
	struct main_opts o = {0};
	const char *volname;
	struct xl_graph *graph = NULL;
	struct reload_state rs = {0};
	GString *diag = g_string_new(NULL);
	sigset_t set;
	pid_t holder;
	int ret, status_fd = -1, pid_fd = -1, rc = 1;

	mallopt(M_MMAP_THRESHOLD, MAIN_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, MAIN_TRIM_THRESHOLD);
	if (main_parse_args(&argc, &argv, &o) < 0)
		goto out;
	if (o.version) {
		printf("xlnfsd %s\n", PACKAGE_VERSION);
		rc = 0;
		goto out;
	}
	if (o.loglevel)
		xl_log_set_level((enum xl_log_level)xl_log_level_parse(o.loglevel));
	if (o.list) {
		xl_diag_set_handler(xl_diag_stderr, NULL);
		if (o.format && strcmp(o.format, "man") == 0)
			ret = manpage_xlators(o.xlator_dir, stdout);
		else
			ret = xl_list_modules(o.xlator_dir, stdout);
		rc = ret < 0 || fflush(stdout) != 0 ? 1 : 0;
		goto out;
	}

	/* 2. Validate before anything starts. */
	xl_diag_set_handler(xl_diag_stderr, NULL);
	volname = o.volfile ? o.volfile : MAIN_DEFAULT_NAME;
	ret = o.volfile ? xl_graph_load(o.volfile, o.xlator_dir, &graph)
			: xl_graph_load_text(MAIN_DEFAULT_NAME, main_default_volfile, o.xlator_dir,
					     &graph);
	if (ret < 0) {
		fprintf(stderr, "xlnfsd: %s: the volume file has errors\n", volname);
		goto out;
	}
	if (o.check) {
		xl_graph_print(graph, stdout);
		rc = 0;
		goto out;
	}
	if (o.exports) {
		rc = main_print_exports(graph, volname) < 0 ? 1 : 0;
		goto out;
	}
	if (o.pidfile) {
		ret = pidfile_check(o.pidfile, &holder);
		if (ret == -EEXIST) {
			fprintf(stderr, "xlnfsd: another instance (pid %ld) holds %s\n",
				(long)holder, o.pidfile);
			goto out;
		}
	}

	/* 3. Log, detach, signals, pid file. */
	if (main_open_log(&o) < 0)
		goto out;
	if (!o.foreground) {
		status_fd = daemonize_start();
		if (status_fd < 0) {
			fprintf(stderr, "xlnfsd: cannot fork: %s\n", g_strerror(-status_fd));
			goto out;
		}
	}
	xl_diag_set_handler(main_diag_capture, diag);
	ret = signals_block(&set);
	if (ret < 0) {
		main_fail(diag, "xlnfsd: cannot block signals: %s\n", g_strerror(-ret));
		goto out_report;
	}
	if (o.pidfile) {
		pid_fd = pidfile_acquire(o.pidfile, &holder);
		if (pid_fd == -EEXIST) {
			main_fail(diag,
				  "xlnfsd: another instance (pid %ld) holds "
				  "%s\n",
				  (long)holder, o.pidfile);
			goto out_report;
		}
		if (pid_fd < 0) {
			main_fail(diag, "xlnfsd: cannot write the pid file %s: %s\n", o.pidfile,
				  g_strerror(-pid_fd));
			goto out_report;
		}
	}
	xl_logd("main", XL_LOG_INFO, "xlnfsd %s starting, volfile %s, pid %ld", PACKAGE_VERSION,
		volname, (long)getpid());

	/* 4. Start serving, then release the terminal. */
	ret = xl_graph_init(graph);
	if (ret < 0) {
		main_fail(diag, "xlnfsd: start-up failed: %s\n", g_strerror(-ret));
		goto out_report;
	}
	xl_logd("main", XL_LOG_INFO, "serving, top volume '%s'", graph->top->name);
	main_notify_ready(graph);
	daemonize_report(status_fd, NULL);
	status_fd = -1;
	xl_diag_set_handler(NULL, NULL);

	/* 5. Until told to stop. */
	rs.volfile = o.volfile;
	rs.xlator_dir = o.xlator_dir;
	if (o.volfile && !g_file_get_contents(o.volfile, &rs.text, NULL, NULL))
		rs.text = NULL; /* the first reload then reloads */
	main_signal_loop(&graph, &rs, &set);
	xl_graph_fini(graph);
	rc = 0;

out_report:
	if (status_fd >= 0)
		daemonize_report(status_fd,
				 diag->len ? diag->str : "xlnfsd: start-up failed (see the log)\n");
	xl_graph_free(graph);
	graph = NULL;
	pidfile_release(o.pidfile, pid_fd);
	xl_logd("main", XL_LOG_INFO, "exiting");
out:
	xl_graph_free(graph);
	xl_diag_set_handler(NULL, NULL);
	xl_log_close();
	g_string_free(diag, TRUE);
	g_free(rs.text);
	main_opts_free(&o);
	return rc;
}
