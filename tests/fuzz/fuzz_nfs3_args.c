/*
 * fuzz_nfs3_args.c — the XDR decoders the service runs on client bytes.
 *
 * Input: byte 0 picks a decoder (modulo the table below: every NFS3
 * procedure's arguments as the actor table decodes them, MOUNT's dirpath,
 * the hand-written list routines, and the arguments of each NLM v4
 * procedure the server serves, statd's SM_NOTIFY included), the rest is what it decodes. (READ's
 * result routine is left out: the server only encodes it, and decoding is
 * rpcgen's, which allocates what a length word says, as clients do.) Whatever it is, the decoder must not crash, and xdr_free must
 * release all it allocated (also after a failed decode, as rpc_dispatch.c
 * does). What decodes must
 * encode again to at most as many bytes as were consumed (fewer only when
 * a string held a NUL, where a C string ends), and decoding that encoding
 * must give the same encoding again (XDR is canonical but for padding).
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz.h"
#include "mount3.h"
#include "nfs3.h"
#include "nlm4_prot.h"

struct args_decoder {
	const char *name;
	xdrproc_t proc;
	size_t size;
};

#define NFS3_ARGS(T) { #T "3args", (xdrproc_t)xdr_##T##3args, sizeof(T##3args) }
#define NLM4_ARGS(T) { "nlm4_" #T, (xdrproc_t)xdr_nlm4_##T, sizeof(nlm4_##T) }

static const struct args_decoder args_decoders[] = {
	NFS3_ARGS(GETATTR), NFS3_ARGS(SETATTR), NFS3_ARGS(LOOKUP), NFS3_ARGS(ACCESS),
	NFS3_ARGS(READLINK), NFS3_ARGS(READ),
	/* What the actor table decodes WRITE with (data left in place). */
	{ "WRITE3args_inplace", (xdrproc_t)nfs3_xdr_WRITE3args_inplace, sizeof(WRITE3args) },
	NFS3_ARGS(CREATE),
	NFS3_ARGS(MKDIR), NFS3_ARGS(SYMLINK), NFS3_ARGS(MKNOD), NFS3_ARGS(REMOVE),
	NFS3_ARGS(RMDIR), NFS3_ARGS(RENAME), NFS3_ARGS(LINK), NFS3_ARGS(READDIR),
	NFS3_ARGS(READDIRPLUS), NFS3_ARGS(FSSTAT), NFS3_ARGS(FSINFO), NFS3_ARGS(PATHCONF),
	NFS3_ARGS(COMMIT),
	{ "dirpath", (xdrproc_t)xdr_dirpath, sizeof(dirpath) },
	{ "mountlist", (xdrproc_t)mount3_xdr_mountlist, sizeof(mountlist) },
	{ "exports", (xdrproc_t)mount3_xdr_exports, sizeof(exports) },
	/* NLM v4 (rpcgen's routines, as nlm4_proc.c's actor table has them) */
	NLM4_ARGS(testargs), NLM4_ARGS(lockargs), NLM4_ARGS(cancargs), NLM4_ARGS(unlockargs),
	NLM4_ARGS(shareargs), NLM4_ARGS(notify), NLM4_ARGS(sm_status),
};

/* Encode @obj with @d into a new buffer: its length in *@len, NULL if it
 * will not encode. */
static uint8_t *args_encode(const struct args_decoder *d, void *obj, size_t *len)
{
	size_t n = xdr_sizeof(d->proc, obj);
	uint8_t *buf = g_malloc(n ? n : 1);
	bool ok;
	XDR x;

	xdrmem_create(&x, (char *)buf, n, XDR_ENCODE);
	ok = d->proc(&x, obj);
	FUZZ_CHECK(!ok || xdr_getpos(&x) == n);
	xdr_destroy(&x);
	if (!ok) {
		g_free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Decode @len bytes at @buf into a zeroed object of @d. Returns it (free
 * with args_free) or NULL, with the bytes consumed in *@used. */
static void *args_decode(const struct args_decoder *d, const uint8_t *buf, size_t len,
			 size_t *used)
{
	void *obj = g_malloc0(d->size);
	bool ok;
	XDR x;

	xdrmem_create(&x, (char *)buf, len, XDR_DECODE);
	ok = d->proc(&x, obj);
	*used = xdr_getpos(&x);
	xdr_destroy(&x);
	if (!ok) {
		xdr_free(d->proc, obj);
		g_free(obj);
		return NULL;
	}
	FUZZ_CHECK(*used <= len);
	return obj;
}

static void args_free(const struct args_decoder *d, void *obj)
{
	xdr_free(d->proc, obj);
	g_free(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct args_decoder *d;
	uint8_t *enc1, *enc2;
	size_t used, used2, len1, len2;
	void *obj, *obj2;

	if (size < 1)
		return 0;
	d = &args_decoders[data[0] % G_N_ELEMENTS(args_decoders)];
	obj = args_decode(d, data + 1, size - 1, &used);
	if (!obj)
		return 0;
	enc1 = args_encode(d, obj, &len1);
	FUZZ_CHECK(enc1 != NULL);
	/* Shorter when a string held a NUL: C strings end there. */
	FUZZ_CHECK(len1 <= used);
	obj2 = args_decode(d, enc1, len1, &used2);
	FUZZ_CHECK(obj2 != NULL && used2 == len1);
	enc2 = args_encode(d, obj2, &len2);
	FUZZ_CHECK(enc2 != NULL && len2 == len1 && memcmp(enc1, enc2, len1) == 0);
	g_free(enc1);
	g_free(enc2);
	args_free(d, obj2);
	args_free(d, obj);
	return 0;
}
