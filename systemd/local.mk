# systemd/: the service unit and the logrotate snippet, with the configured
# paths filled in; and the volume file the service serves,
# $(sysconfdir)/xlnfs/export.vol, installed from volfiles/export.vol only
# when there is none yet (an admin's edits survive `make install`).
systemdsystemunit_DATA = systemd/xlnfsd.service
logrotatedir = $(sysconfdir)/logrotate.d
logrotate_DATA = systemd/xlnfs
EXTRA_DIST += systemd/xlnfsd.service.in systemd/xlnfs.logrotate.in
CLEANFILES += systemd/xlnfsd.service systemd/xlnfs

systemd_subst = sed -e "s|[@]sbindir[@]|$(sbindir)|g" -e "s|[@]sysconfdir[@]|$(sysconfdir)|g" \
	-e "s|[@]localstatedir[@]|$(localstatedir)|g"
systemd/xlnfsd.service: $(srcdir)/systemd/xlnfsd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(systemd_subst) $(srcdir)/systemd/xlnfsd.service.in >$@-t && mv $@-t $@
systemd/xlnfs: $(srcdir)/systemd/xlnfs.logrotate.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(systemd_subst) $(srcdir)/systemd/xlnfs.logrotate.in >$@-t && mv $@-t $@

volconfdir = $(sysconfdir)/xlnfs
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(volconfdir)'
	test -e '$(DESTDIR)$(volconfdir)/export.vol' || \
		$(INSTALL_DATA) $(srcdir)/volfiles/export.vol '$(DESTDIR)$(volconfdir)/export.vol'
# removed only when unchanged from what we installed
uninstall-local:
	if cmp -s $(srcdir)/volfiles/export.vol '$(DESTDIR)$(volconfdir)/export.vol'; then \
		rm -f '$(DESTDIR)$(volconfdir)/export.vol'; fi
