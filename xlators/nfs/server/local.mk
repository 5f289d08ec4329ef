# nfs/server: the top translator; runs the RPC service with MOUNT and NFS3.
