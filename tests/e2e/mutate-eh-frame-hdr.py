#!/usr/bin/env python3
# mutate-eh-frame-hdr.py SRC DST SEED: write to DST a copy of the ELF file
# SRC whose unwind table (.eh_frame_hdr, and the PT_GNU_EH_FRAME program
# header that points at it) is damaged in one of six ways, chosen by SEED
# (SEED % 6) and with random values from SEED: the FDE count, random
# bytes of the table, the version and encodings, the program header's
# fields, every table entry's FDE offset, the pointer to .eh_frame. The
# program still runs natively (only an unwinder reads the table).
import random
import struct
import sys

src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = bytearray(open(src,'rb').read())
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
def sh(i):
    return struct.unpack_from('<IIQQQQIIQQ', d, shoff + i*shentsize)
strtab = sh(shstrndx)
def name(off):
    o = strtab[4] + off
    return d[o:d.index(b'\0', o)].decode()
hdr = None
for i in range(shnum):
    s = sh(i)
    if name(s[0]) == '.eh_frame_hdr':
        hdr = (s[4], s[5])
off, size = hdr
r = random.Random(seed)
kind = seed % 6
if kind == 0:     # fde_count huge
    struct.pack_into('<I', d, off + 8, r.choice([0x7fffffff, 0xffffffff, r.randrange(1<<32)]))
elif kind == 1:   # table entries garbage
    for _ in range(r.randrange(1, 8)):
        p = off + 12 + r.randrange(max(1, size - 12))
        d[p] = r.randrange(256)
elif kind == 2:   # encodings / version
    p = off + r.randrange(4)
    d[p] = (d[p] + 1 + r.randrange(255)) % 256
elif kind == 4:   # the PT_GNU_EH_FRAME program header
    phoff, = struct.unpack_from('<Q', d, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', d, 0x36)
    for i in range(phnum):
        p = phoff + i * phentsize
        if struct.unpack_from('<I', d, p)[0] == 0x6474e550:
            field = r.choice([8, 16, 24, 32, 40])
            struct.pack_into('<Q', d, p + field, r.choice([0, 1 << 40, r.randrange(1 << 32), 0xffffffffffffffff]))
elif kind == 5:   # every table entry's FDE offset
    n, = struct.unpack_from('<I', d, off + 8)
    for k in range(min(n, (size - 12) // 8)):
        struct.pack_into('<i', d, off + 12 + 8 * k + 4, r.randrange(-(1 << 31), 1 << 31))
else:             # eh_frame_ptr
    struct.pack_into('<i', d, off + 4, r.randrange(-(1<<31), 1<<31))
open(dst,'wb').write(d)
