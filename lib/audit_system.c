/* Step 9 (DESIGN §6): SYS-RESCUE-TARGET and SYS-SSHD-DISABLED, from the
 * files systemd (or sysvinit) reads at boot, inside the audited root; the
 * live kernel command line only when a->live.  Without a running systemd
 * the unit files are all there is, and the detail says so. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit_util.h"
#include "sshd_live.h"

#define MAXTARGETS 64

static const char *const ssh_units[] = { "ssh.service", "sshd.service",
	"ssh.socket", "sshd.socket", NULL };

static const char *
base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int
rescue_name(const char *t)
{
	return strcmp(t, "rescue.target") == 0 ||
	    strcmp(t, "emergency.target") == 0 ||
	    strcmp(t, "runlevel1.target") == 0;
}

/* The default target's name: default.target's link, followed through
 * alias links (runlevel5.target -> graphical.target) in the unit dirs.
 * *where gets the path of the first default.target link.  "" when none. */
static void
default_target(const struct cvm_root *r, char *name, size_t len, char *where,
    size_t wlen)
{
	char path[512], lnk[512], cur[512] = "default.target";
	int hops;

	name[0] = where[0] = '\0';
	for (hops = 0; hops < 8; hops++) {
		if (cvm_unit_find(r, cur, path, sizeof(path)) != 0)
			break;
		if (cvm_root_readlink(r, path, lnk, sizeof(lnk)) != 0) {
			/* a unit file, not a link: that is the target */
			if (hops == 0) {
				snprintf(where, wlen, "%s", path);
				snprintf(name, len, "default.target");
			}
			break;
		}
		if (hops == 0)
			snprintf(where, wlen, "%s", path);
		memmove(cur, base(lnk), strlen(base(lnk)) + 1);
		if (strlen(cur) >= len)
			break;
		memcpy(name, cur, strlen(cur) + 1);
	}
}

/* sysvinit: the initdefault line of /etc/inittab ('\0' when none). */
static char
inittab_level(const struct cvm_root *r, int *line)
{
	char *buf = NULL, *p, *nl, lvl = '\0';
	size_t len;
	int ln = 0;

	*line = 0;
	if (cvm_root_read(r, "/etc/inittab", 1 << 20, &buf, &len) != 0)
		return '\0';
	for (p = buf; p && *p; p = nl) {
		char *f2, *f3;

		ln++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		/* id:runlevels:action:process */
		if (*p == '#' || (f2 = strchr(p, ':')) == NULL ||
		    (f3 = strchr(f2 + 1, ':')) == NULL)
			continue;
		if (strncmp(f3 + 1, "initdefault:", 12) == 0 ||
		    strcmp(f3 + 1, "initdefault") == 0) {
			lvl = (char)(f2[1] != ':' ? f2[1] : '\0');
			*line = ln;
		}
	}
	free(buf);
	return lvl;
}

static void
check_cmdline(struct cvm_audit *a)
{
	struct cvm_root live = { -1, 0, "/" };
	char *buf = NULL, *tok, *save = NULL;
	size_t len;

	if (cvm_root_read(&live, "/proc/cmdline", 65536, &buf, &len) != 0)
		return;
	/* the words systemd (and sysvinit) take as a runlevel request:
	 * systemd's special_table in src/core/main.c */
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	    tok = strtok_r(NULL, " \t\n", &save)) {
		if (strcmp(tok, "single") == 0 || strcmp(tok, "1") == 0 ||
		    strcmp(tok, "S") == 0 || strcmp(tok, "s") == 0 ||
		    strcmp(tok, "rescue") == 0 || strcmp(tok, "emergency") == 0 ||
		    strcmp(tok, "-b") == 0 ||
		    strcmp(tok, "systemd.unit=rescue.target") == 0 ||
		    strcmp(tok, "systemd.unit=emergency.target") == 0) {
			cvm_audit_add(a, "SYS-RESCUE-TARGET", CVM_SEV_FAIL,
			    CVM_M_ALL, NULL, 0, "boot without it (check "
			    "GRUB_CMDLINE_LINUX in /etc/default/grub and the "
			    "boot loader entry, then update-grub)",
			    "the running kernel was booted with `%s` on its "
			    "command line (/proc/cmdline): single-user mode, "
			    "no sshd", tok);
			break;
		}
	}
	free(buf);
}

static void
check_rescue(struct cvm_audit *a, const char *target, const char *where)
{
	int line, lvl;

	if (a->live)
		check_cmdline(a);
	if (target[0]) {
		if (rescue_name(target))
			cvm_audit_add(a, "SYS-RESCUE-TARGET", CVM_SEV_FAIL,
			    CVM_M_ALL, where, 0, "systemctl set-default "
			    "multi-user.target",
			    "the default target is %s: the system boots to a "
			    "single-user shell without sshd", target);
		return;
	}
	lvl = (unsigned char)inittab_level(&a->root, &line);
	if (lvl == '1' || lvl == 'S' || lvl == 's')
		cvm_audit_add(a, "SYS-RESCUE-TARGET", CVM_SEV_FAIL, CVM_M_ALL,
		    "/etc/inittab", line, "set the initdefault runlevel to 2 "
		    "or 3 (id:2:initdefault:)",
		    "the initdefault runlevel is %c: single-user mode", lvl);
}

/* ---- which units the default target pulls in ---- */

struct walk {
	char names[MAXTARGETS][128];	/* targets queued */
	size_t n;
	char found[256];		/* "ssh.service (multi-user.target.wants)" */
	char foundunit[64];
};

static void
enqueue(struct walk *w, const char *name)
{
	size_t i;

	if (strlen(name) >= sizeof(w->names[0]))
		return;
	for (i = 0; i < w->n; i++)
		if (strcmp(w->names[i], name) == 0)
			return;
	if (w->n < MAXTARGETS)
		snprintf(w->names[w->n++], sizeof(w->names[0]), "%s", name);
}

static int
is_ssh_unit(const char *name)
{
	size_t i;

	for (i = 0; ssh_units[i]; i++)
		if (strcmp(name, ssh_units[i]) == 0)
			return 1;
	return 0;
}

/* One dependency of target t: an ssh unit is recorded (unless masked),
 * a target is queued. */
static void
depend(const struct cvm_audit *a, struct walk *w, const char *t,
    const char *dep, const char *how)
{
	size_t l = strlen(dep);

	char path[512];

	if (is_ssh_unit(dep)) {
		/* a link left behind by a removed package starts nothing */
		if (w->found[0] == '\0' && !cvm_unit_masked(&a->root, dep) &&
		    cvm_unit_find(&a->root, dep, path, sizeof(path)) == 0) {
			snprintf(w->found, sizeof(w->found), "%s (%s of %s)",
			    dep, how, t);
			snprintf(w->foundunit, sizeof(w->foundunit), "%s", dep);
		}
	} else if (l > 7 && strcmp(dep + l - 7, ".target") == 0)
		enqueue(w, dep);
}

/* .wants/ and .requires/ directories of t in every unit dir; the link
 * name and its target's name both count (an alias link). */
static void
dep_dirs(const struct cvm_audit *a, struct walk *w, const char *t)
{
	static const char *const kinds[] = { "wants", "requires", NULL };
	char path[512], lp[1024], lnk[512];
	struct dirent *de;
	size_t i, k;
	DIR *d;

	for (i = 0; cvm_unit_dirs[i]; i++)
		for (k = 0; kinds[k]; k++) {
			snprintf(path, sizeof(path), "%s/%s.%s", cvm_unit_dirs[i],
			    t, kinds[k]);
			if ((d = cvm_root_opendir(&a->root, path)) == NULL)
				continue;
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(lp, sizeof(lp), "%s/%s", path, de->d_name);
				depend(a, w, t, de->d_name, lp);
				if (cvm_root_readlink(&a->root, lp, lnk,
				    sizeof(lnk)) == 0 &&
				    strcmp(base(lnk), de->d_name) != 0)
					depend(a, w, t, base(lnk), lp);
			}
			closedir(d);
		}
}

/* Wants=/Requires= lines of t's unit file (its [Unit] section). */
static void
dep_lines(const struct cvm_audit *a, struct walk *w, const char *t)
{
	char path[512], *buf = NULL, *p, *nl;
	size_t len;
	int unit = 0;

	if (cvm_unit_find(&a->root, t, path, sizeof(path)) != 0 ||
	    cvm_root_read(&a->root, path, 1 << 20, &buf, &len) != 0)
		return;
	for (p = buf; p && *p; p = nl) {
		char *v, *tok, *save = NULL;

		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[') {
			unit = strncmp(p, "[Unit]", 6) == 0;
			continue;
		}
		if (!unit)
			continue;
		if (strncmp(p, "Wants=", 6) == 0)
			v = p + 6;
		else if (strncmp(p, "Requires=", 9) == 0)
			v = p + 9;
		else
			continue;
		for (tok = strtok_r(v, " \t\r", &save); tok;
		    tok = strtok_r(NULL, " \t\r", &save))
			depend(a, w, t, tok, path);
	}
	free(buf);
}

/* sysvinit: an S link for ssh in /etc/rcN.d of the default runlevel. */
static int
sysv_enabled(const struct cvm_audit *a, char lvl)
{
	char path[64];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/etc/rc%c.d", lvl);
	if ((d = cvm_root_opendir(&a->root, path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == 'S' && strlen(de->d_name) > 3 &&
		    (strcmp(de->d_name + 3, "ssh") == 0 ||
		    strcmp(de->d_name + 3, "sshd") == 0))
			found = 1;
	closedir(d);
	return found;
}

static void
check_enabled(struct cvm_audit *a, const char *target, const char *how)
{
	struct walk *w;
	char path[512];
	size_t i, nunits = 0, nmasked = 0;
	char masked[128] = "";
	int line;

	if (cvm_root_exists(&a->root, "/etc/ssh/sshd_not_to_be_run")) {
		cvm_audit_add(a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL, CVM_M_ALL,
		    "/etc/ssh/sshd_not_to_be_run", 0, "rm "
		    "/etc/ssh/sshd_not_to_be_run",
		    "/etc/ssh/sshd_not_to_be_run exists: the ssh unit and init "
		    "script refuse to start sshd");
		return;
	}
	for (i = 0; ssh_units[i]; i++) {
		if (cvm_unit_find(&a->root, ssh_units[i], path, sizeof(path)) != 0)
			continue;
		nunits++;
		if (cvm_unit_masked(&a->root, ssh_units[i])) {
			nmasked++;
			if (strlen(masked) + strlen(ssh_units[i]) + 3 < sizeof(masked))
				snprintf(masked + strlen(masked),
				    sizeof(masked) - strlen(masked), "%s%s",
				    masked[0] ? ", " : "", ssh_units[i]);
		}
	}
	if (nunits == 0) {
		/* no systemd unit for ssh: a sysvinit system, or no sshd */
		char lvl = inittab_level(&a->root, &line);

		if (lvl == '\0')
			lvl = '2';
		if (cvm_root_exists(&a->root, "/etc/init.d/ssh") ||
		    cvm_root_exists(&a->root, "/etc/init.d/sshd")) {
			if (!sysv_enabled(a, lvl))
				cvm_audit_add(a, "SYS-SSHD-DISABLED",
				    CVM_SEV_FAIL, CVM_M_ALL, "/etc/init.d/ssh", 0,
				    "update-rc.d ssh enable",
				    "no systemd unit for ssh, and no S link to "
				    "the ssh init script in /etc/rc%c.d", lvl);
			else
				cvm_audit_pass(a, "SYS-SSHD-DISABLED");
		} else
			cvm_audit_add(a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL,
			    CVM_M_ALL, NULL, 0, "install the OpenSSH server "
			    "(openssh-server)", "no ssh/sshd systemd unit and "
			    "no ssh init script: nothing starts sshd at boot");
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		a->oom = 1;
		return;
	}
	enqueue(w, target);
	for (i = 0; i < w->n && w->found[0] == '\0'; i++) {
		dep_dirs(a, w, w->names[i]);
		dep_lines(a, w, w->names[i]);
	}
	if (w->found[0])
		cvm_audit_pass(a, "SYS-SSHD-DISABLED");
	else if (nmasked > 0)
		cvm_audit_add(a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL, CVM_M_ALL,
		    "/etc/systemd/system", 0, "systemctl unmask ssh.service "
		    "(or sshd.service) and enable it",
		    "%s masked (linked to /dev/null), and no other ssh unit is "
		    "wanted by %s; %s", masked, target, how);
	else
		cvm_audit_add(a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL, CVM_M_ALL,
		    "/etc/systemd/system", 0, "systemctl enable ssh.service "
		    "(sshd.service on RHEL/Fedora)",
		    "neither ssh/sshd.service nor ssh/sshd.socket is wanted by "
		    "%s or the targets it pulls in (%zu read); %s", target, w->n,
		    how);
	free(w);
}

void
cvm_audit_system(struct cvm_audit *a)
{
	char target[256], where[512];
	const char *how;
	size_t before, i;
	pid_t pids[1];

	default_target(&a->root, target, sizeof(target), where, sizeof(where));
	check_rescue(a, target, where);
	if (!cvm_audit_has(a, "SYS-RESCUE-TARGET", CVM_SEV_INFO))
		cvm_audit_pass(a, "SYS-RESCUE-TARGET");
	how = cvm_systemd_running(a) ? "from the unit files" :
	    a->root.rooted ? "from the unit files of the tree (systemd not "
	    "running there)" : "from the unit files (systemd is not running: "
	    "/run/systemd/system absent)";
	before = a->n;
	check_enabled(a, target[0] ? target : "graphical.target", how);
	/* an sshd running now: the next boot is at risk, not this login */
	if (a->live && cvm_sshd_listeners(a->sshd_bin, pids, 1) > 0)
		for (i = before; i < a->n; i++)
			if (a->f[i].sev == CVM_SEV_FAIL) {
				char *d;

				a->f[i].sev = CVM_SEV_WARN;
				a->f[i].blocks = 0;
				if (asprintf(&d, "%s; an sshd runs now: the "
				    "next boot will have none",
				    a->f[i].detail) >= 0) {
					free(a->f[i].detail);
					a->f[i].detail = d;
				}
			}
}
