/* DT_NEEDED of an ELF file: see elfdeps.h.  The dynamic table is found
 * through the PT_DYNAMIC program header (what the dynamic loader uses),
 * or, in a file without program headers, the SHT_DYNAMIC section; its
 * DT_STRTAB address is mapped to a file offset through the PT_LOAD
 * segments (or is the sh_link section).  Every read is bounds-checked by
 * subtraction. */
#include "config.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "elfdeps.h"
#include "errbuf.h"

#define PT_LOAD_	1
#define PT_DYNAMIC_	2
#define SHT_DYNAMIC_	6
#define DT_NULL_	0
#define DT_NEEDED_	1
#define DT_STRTAB_	5
#define DT_STRSZ_	10
#define MAX_NEEDED	4096

struct elf {
	const unsigned char *b;
	size_t len;
	int is64, be;
};

static int
in_file(const struct elf *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

static uint64_t
get(const struct elf *e, uint64_t off, int width)
{
	uint64_t v = 0;

	for (int i = 0; i < width; i++) {
		unsigned byte = e->b[off + (uint64_t)(e->be ? i : width - 1 - i)];

		v = v << 8 | byte;
	}
	return v;
}

/* A word of the file's class: 4 or 8 bytes. */
#define WORD(e)	((e)->is64 ? 8 : 4)

struct seg {
	uint64_t vaddr, off, filesz;
};

static int
vaddr_to_off(const struct seg *segs, size_t nsegs, uint64_t v, uint64_t *off)
{
	for (size_t i = 0; i < nsegs; i++)
		if (v >= segs[i].vaddr && v - segs[i].vaddr < segs[i].filesz) {
			*off = segs[i].off + (v - segs[i].vaddr);
			return 0;
		}
	return -1;
}

static int
push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv, *copy;

	if (*n >= MAX_NEEDED)
		return -1;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if ((nv = realloc(*v, (*n + 1) * sizeof(**v))) == NULL) {
		free(copy);
		return -1;
	}
	*v = nv;
	nv[(*n)++] = copy;
	return 0;
}

int
cvm_elf_needed(const unsigned char *buf, size_t len, char ***needed,
    size_t *n, char *err, size_t errlen)
{
	struct elf e = { buf, len, 0, 0 };
	uint64_t phoff, shoff, dynoff = 0, dynsz = 0, strtab = 0, strsz = 0;
	uint64_t stroff = 0, entsz;
	unsigned phentsize, phnum, shentsize, shnum;
	struct seg *segs = NULL;
	size_t nsegs = 0, nvals = 0;
	uint64_t *vals = NULL;
	int have_dyn = 0, have_strtab = 0, have_strsz = 0, strtab_is_off = 0;
	int rc = -1;

	*needed = NULL;
	*n = 0;
	if (len < 16 || memcmp(buf, "\177ELF", 4) != 0)
		return cvm_seterr(err, errlen, "not an ELF file");
	if (buf[4] != 1 && buf[4] != 2)
		return cvm_seterr(err, errlen, "bad ELF class %u", buf[4]);
	if (buf[5] != 1 && buf[5] != 2)
		return cvm_seterr(err, errlen, "bad ELF byte order %u", buf[5]);
	e.is64 = buf[4] == 2;
	e.be = buf[5] == 2;
	if (!in_file(&e, 0, e.is64 ? 64 : 52))
		return cvm_seterr(err, errlen, "truncated ELF header");
	if (e.is64) {
		phoff = get(&e, 32, 8);
		shoff = get(&e, 40, 8);
		phentsize = (unsigned)get(&e, 54, 2);
		phnum = (unsigned)get(&e, 56, 2);
		shentsize = (unsigned)get(&e, 58, 2);
		shnum = (unsigned)get(&e, 60, 2);
	} else {
		phoff = get(&e, 28, 4);
		shoff = get(&e, 32, 4);
		phentsize = (unsigned)get(&e, 42, 2);
		phnum = (unsigned)get(&e, 44, 2);
		shentsize = (unsigned)get(&e, 46, 2);
		shnum = (unsigned)get(&e, 48, 2);
	}
	entsz = (uint64_t)WORD(&e) * 2;	/* Elf_Dyn: d_tag, d_val */

	if (phnum > 0) {
		if (phnum == 0xffff)
			return cvm_seterr(err, errlen, "extended program header numbering");
		if (phentsize < (e.is64 ? 56u : 32u) ||
		    !in_file(&e, phoff, (uint64_t)phentsize * phnum))
			return cvm_seterr(err, errlen, "program headers outside the file");
		if ((segs = calloc(phnum, sizeof(*segs))) == NULL)
			return cvm_seterr(err, errlen, "out of memory");
		for (unsigned i = 0; i < phnum; i++) {
			uint64_t p = phoff + (uint64_t)i * phentsize;
			uint64_t type = get(&e, p, 4), off, vaddr, filesz;

			if (e.is64) {
				off = get(&e, p + 8, 8);
				vaddr = get(&e, p + 16, 8);
				filesz = get(&e, p + 32, 8);
			} else {
				off = get(&e, p + 4, 4);
				vaddr = get(&e, p + 8, 4);
				filesz = get(&e, p + 16, 4);
			}
			if (type == PT_LOAD_) {
				segs[nsegs].vaddr = vaddr;
				segs[nsegs].off = off;
				segs[nsegs].filesz = filesz;
				nsegs++;
			} else if (type == PT_DYNAMIC_ && !have_dyn) {
				have_dyn = 1;
				dynoff = off;
				dynsz = filesz;
			}
		}
	} else if (shnum > 0) {
		/* no program headers (a relocatable or stripped-down file):
		 * the SHT_DYNAMIC section, its sh_link the string table */
		if (shentsize < (e.is64 ? 64u : 40u) ||
		    !in_file(&e, shoff, (uint64_t)shentsize * shnum))
			return cvm_seterr(err, errlen, "section headers outside the file");
		for (unsigned i = 0; i < shnum && !have_dyn; i++) {
			uint64_t s = shoff + (uint64_t)i * shentsize, link, ls;

			if (get(&e, s + 4, 4) != SHT_DYNAMIC_)
				continue;
			have_dyn = 1;
			dynoff = get(&e, s + (e.is64 ? 24 : 16), WORD(&e));
			dynsz = get(&e, s + (e.is64 ? 32 : 20), WORD(&e));
			link = get(&e, s + (e.is64 ? 40 : 24), 4);
			if (link >= shnum)
				return cvm_seterr(err, errlen, "bad dynamic string table link");
			ls = shoff + link * shentsize;
			stroff = get(&e, ls + (e.is64 ? 24 : 16), WORD(&e));
			strsz = get(&e, ls + (e.is64 ? 32 : 20), WORD(&e));
			strtab_is_off = 1;
		}
	}
	if (!have_dyn) {	/* statically linked: needs nothing */
		rc = 0;
		goto out;
	}
	if (!in_file(&e, dynoff, dynsz)) {
		cvm_seterr(err, errlen, "dynamic section outside the file");
		goto out;
	}
	for (uint64_t p = dynoff; dynsz - (p - dynoff) >= entsz; p += entsz) {
		uint64_t tag = get(&e, p, WORD(&e)), val = get(&e, p + WORD(&e), WORD(&e));

		if (tag == DT_NULL_)
			break;
		if (tag == DT_NEEDED_) {
			uint64_t *nv;

			if (nvals >= MAX_NEEDED) {
				cvm_seterr(err, errlen, "too many DT_NEEDED entries");
				goto out;
			}
			if ((nv = realloc(vals, (nvals + 1) * sizeof(*vals))) == NULL) {
				cvm_seterr(err, errlen, "out of memory");
				goto out;
			}
			vals = nv;
			vals[nvals++] = val;
		} else if (tag == DT_STRTAB_ && !have_strtab) {
			have_strtab = 1;
			strtab = val;
		} else if (tag == DT_STRSZ_ && !have_strsz) {
			have_strsz = 1;
			strsz = val;
		}
	}
	if (nvals == 0) {
		rc = 0;
		goto out;
	}
	if (!strtab_is_off) {
		if (!have_strtab || !have_strsz) {
			cvm_seterr(err, errlen, "DT_NEEDED without DT_STRTAB/DT_STRSZ");
			goto out;
		}
		if (vaddr_to_off(segs, nsegs, strtab, &stroff) != 0) {
			cvm_seterr(err, errlen, "DT_STRTAB is not in a loaded segment");
			goto out;
		}
	}
	if (!in_file(&e, stroff, strsz)) {
		cvm_seterr(err, errlen, "dynamic string table outside the file");
		goto out;
	}
	for (size_t i = 0; i < nvals; i++) {
		const char *s, *nul;

		if (vals[i] >= strsz) {
			cvm_seterr(err, errlen, "DT_NEEDED name outside the string table");
			goto out;
		}
		s = (const char *)buf + stroff + vals[i];
		if ((nul = memchr(s, '\0', strsz - vals[i])) == NULL) {
			cvm_seterr(err, errlen, "unterminated DT_NEEDED name");
			goto out;
		}
		if (push(needed, n, s, (size_t)(nul - s)) != 0) {
			cvm_seterr(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	free(segs);
	free(vals);
	if (rc != 0) {
		cvm_elf_needed_free(*needed, *n);
		*needed = NULL;
		*n = 0;
	}
	return rc;
}

int
cvm_elf_needed_file(const struct cvm_root *root, const char *path,
    char ***needed, size_t *n, char *err, size_t errlen)
{
	char *buf = NULL, msg[200];
	size_t len;
	int rc;

	*needed = NULL;
	*n = 0;
	if (cvm_root_read(root, path, CVM_ELF_CAP, &buf, &len) != 0)
		return cvm_seterr(err, errlen, "%s: %s", path,
		    errno == EFBIG ? "larger than the 64 MiB cap" : strerror(errno));
	rc = cvm_elf_needed((const unsigned char *)buf, len, needed, n, msg, sizeof(msg));
	free(buf);
	if (rc != 0)
		return cvm_seterr(err, errlen, "%s: %s", path, msg);
	return 0;
}

void
cvm_elf_needed_free(char **needed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(needed[i]);
	free(needed);
}
