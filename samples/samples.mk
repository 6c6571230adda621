# Samples: built unsanitised, -O0 -g, so that memsup sees plain frames.
