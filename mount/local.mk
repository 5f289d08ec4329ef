# mount/: the MOUNT program (v1, v3), linked into the nfs/server module.
