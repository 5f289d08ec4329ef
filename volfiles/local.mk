# volfiles/: example volume files, installed as documentation.
volfilesdir = $(docdir)/volfiles
dist_volfiles_DATA = volfiles/export.vol volfiles/subdir-exports.vol volfiles/memory.vol \
	volfiles/two-trees.vol
