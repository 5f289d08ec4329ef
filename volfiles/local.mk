# volfiles/: example volume files, installed as documentation.
