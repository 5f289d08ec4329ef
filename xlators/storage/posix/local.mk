# storage/posix: a local directory as the backing store.
