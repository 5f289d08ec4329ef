/* mount3.c — the MOUNT program; placeholder until it lands. */
#include "config.h"

#include <errno.h>

#include "nfs_server.h"

int mount3_programs_add(struct nfs_server *srv, uint16_t port)
{
	return -ENOSYS;
}

void mount3_fini(struct nfs_server *srv)
{
}
