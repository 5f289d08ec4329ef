# tests/: unit (CUnit), integration (libnfs over loopback), e2e (kernel client).
