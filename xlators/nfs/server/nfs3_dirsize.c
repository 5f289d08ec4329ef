/*
 * nfs3_dirsize.c — XDR size accounting for READDIR and READDIRPLUS
 * replies (see nfs3_dirsize.h).
 */
#include "config.h"

#include "nfs3_dirsize.h"

size_t nfs3_xdr_name_size(size_t len)
{
	return 4 + ((len + 3) & ~(size_t)3);
}

size_t nfs3_xdr_dirinfo_size(size_t namelen)
{
	return 8 + nfs3_xdr_name_size(namelen) + 8;
}

size_t nfs3_xdr_entry3_size(size_t namelen)
{
	return 4 + nfs3_xdr_dirinfo_size(namelen);
}

size_t nfs3_xdr_entryplus3_size(size_t namelen, bool has_attr, size_t fhlen)
{
	size_t size = nfs3_xdr_entry3_size(namelen);

	size += 4 + (has_attr ? NFS3_XDR_FATTR3 : 0);
	size += 4 + (fhlen ? nfs3_xdr_name_size(fhlen) : 0);
	return size;
}

void nfs3_dirsize_init(struct nfs3_dirsize *ds, size_t max, size_t dirmax, unsigned maxentries)
{
	ds->max = max;
	ds->dirmax = dirmax;
	ds->used = NFS3_XDR_READDIR_FIXED;
	ds->dirused = 0;
	ds->entries = 0;
	ds->maxentries = maxentries;
}

bool nfs3_dirsize_take(struct nfs3_dirsize *ds, size_t size, size_t dirsize)
{
	if (ds->maxentries && ds->entries >= ds->maxentries)
		return false;
	if (ds->used + size > ds->max)
		return false;
	if (ds->dirmax && ds->dirused + dirsize > ds->dirmax)
		return false;
	ds->used += size;
	ds->dirused += dirsize;
	ds->entries++;
	return true;
}

bool nfs3_dirsize_fixed_fits(const struct nfs3_dirsize *ds)
{
	return ds->used <= ds->max;
}
