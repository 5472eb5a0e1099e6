/* cvmkey.conf parser and the one setter for every option. */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"

#define CONF_MAX (256 * 1024)

int
cvm_conf_init(struct cvm_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = CVM_POLICY_AUDIT;
	c->on_error = CVM_ONERR_DENY;
	c->uid_min = c->gid_min = 70000;
	c->uid_max = c->gid_max = 99999;
	c->guess_threshold = 5;
	c->guess_window = 600;
	c->events_per_user = 16;
	c->event_ttl = 86400;
	if (cvm_strv_split(&c->services, "sshd", ",") != 0 ||
	    (c->db = strdup(CVM_DBPATH)) == NULL ||
	    (c->sshd_config = strdup(CVM_SSHD_CONFIG)) == NULL) {
		cvm_conf_free(c);
		return -1;
	}
	return 0;
}

void
cvm_conf_free(struct cvm_conf *c)
{
	cvm_strv_free(&c->services);
	cvm_strv_free(&c->exempt_users);
	cvm_strv_free(&c->exempt_groups);
	free(c->db);
	free(c->sshd_config);
	free(c->chain_command);
	free(c->trusted_signer);
	free(c->admin_group);
	memset(c, 0, sizeof(*c));
}

const char *
cvm_policy_name(enum cvm_policy p)
{
	switch (p) {
	case CVM_POLICY_BOUND: return "bound";
	case CVM_POLICY_ALL: return "all";
	default: return "audit";
	}
}

static int
set_str(char **dst, const char *val)
{
	char *s = strdup(val);

	if (s == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_path(char **dst, const char *val)
{
	if (val[0] != '/')
		return -1;
	return set_str(dst, val);
}

enum kind { K_POLICY, K_ONERR, K_LIST, K_PATH, K_STR, K_BOOL, K_ID, K_UINT, K_DUR };

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
} keys[] = {
#define O(f) offsetof(struct cvm_conf, f)
	{ "admin_group", K_STR, O(admin_group) },
	{ "chain_command", K_STR, O(chain_command) },
	{ "db", K_PATH, O(db) },
	{ "debug", K_BOOL, O(debug) },
	{ "event_ttl", K_DUR, O(event_ttl) },
	{ "events_per_user", K_UINT, O(events_per_user) },
	{ "exempt_groups", K_LIST, O(exempt_groups) },
	{ "exempt_users", K_LIST, O(exempt_users) },
	{ "gid_max", K_ID, O(gid_max) },
	{ "gid_min", K_ID, O(gid_min) },
	{ "guess_threshold", K_UINT, O(guess_threshold) },
	{ "guess_window", K_DUR, O(guess_window) },
	{ "on_error", K_ONERR, O(on_error) },
	{ "policy", K_POLICY, O(policy) },
	{ "services", K_LIST, O(services) },
	{ "sshd_config", K_PATH, O(sshd_config) },
	{ "trusted_signer", K_PATH, O(trusted_signer) },
	{ "uid_max", K_ID, O(uid_max) },
	{ "uid_min", K_ID, O(uid_min) },
#undef O
};

int
cvm_conf_set(struct cvm_conf *c, const char *key, const char *val,
    const struct cvm_log *log, const char *where)
{
	const struct key *k = NULL;
	void *field;
	unsigned long ul;
	int b, r = -1;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL) {
		cvm_log(log, LOG_WARNING, "%s: unknown option \"%s\" ignored",
		    where, key);
		return 1;
	}
	field = (char *)c + k->off;
	switch (k->kind) {
	case K_POLICY:
		r = 0;
		if (strcmp(val, "audit") == 0)
			c->policy = CVM_POLICY_AUDIT;
		else if (strcmp(val, "bound") == 0)
			c->policy = CVM_POLICY_BOUND;
		else if (strcmp(val, "all") == 0)
			c->policy = CVM_POLICY_ALL;
		else
			r = -1;
		break;
	case K_ONERR:
		r = 0;
		if (strcmp(val, "deny") == 0)
			c->on_error = CVM_ONERR_DENY;
		else if (strcmp(val, "ignore") == 0)
			c->on_error = CVM_ONERR_IGNORE;
		else
			r = -1;
		break;
	case K_LIST:
		r = cvm_strv_split(field, val, ",");
		break;
	case K_PATH:
		r = set_path(field, val);
		break;
	case K_STR:
		r = set_str(field, val);
		break;
	case K_BOOL:
		if ((r = cvm_parse_bool(val, &b)) == 0)
			*(int *)field = b;
		break;
	case K_ID:
		if ((r = cvm_parse_ulong(val, 0, 0xfffffffeUL, &ul)) == 0)
			*(unsigned long *)field = ul;
		break;
	case K_UINT:
		if ((r = cvm_parse_ulong(val, 0, 1000000, &ul)) == 0)
			*(unsigned long *)field = ul;
		break;
	case K_DUR:
		if ((r = cvm_parse_duration(val, &ul)) == 0)
			*(unsigned long *)field = ul;
		break;
	}
	if (r != 0)
		cvm_log(log, LOG_ERR, "%s: bad value for %s: \"%s\"", where, key, val);
	/* An unusable signer must not leave documents applied unsigned. */
	if (r != 0 && k->off == offsetof(struct cvm_conf, trusted_signer))
		c->trusted_signer_bad = 1;
	return r == 0 ? 0 : -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
cvm_conf_load(struct cvm_conf *c, const char *path, const struct cvm_log *log)
{
	char err[512], where[600], *buf = NULL, *line, *next;
	size_t len;
	int r, lineno = 0;

	r = cvm_read_file(path, CONF_MAX, 0, 1, &buf, &len, err, sizeof(err));
	if (r == 1)
		return 0;
	if (r != 0) {
		cvm_log(log, LOG_ERR, "%s", err);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		cvm_log(log, LOG_ERR, "%s: contains a NUL byte", path);
		free(buf);
		return -1;
	}
	for (line = buf; line != NULL; line = next) {
		char *eq, *key, *val;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if ((eq = strchr(line, '=')) == NULL) {
			cvm_log(log, LOG_ERR, "%s: expected \"key = value\"", where);
			continue;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		(void)cvm_conf_set(c, key, val, log, where);
	}
	free(buf);
	return 0;
}
