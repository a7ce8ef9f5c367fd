// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmemctl: a client of cxlmemd's D-Bus API and nothing else (it never
 * reads sysfs), as timedatectl is to timedated. Parse the command line
 * without the bus, connect, resolve names to object paths through
 * GetManagedObjects, make one call, print.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "polkit-agent.h"

static const char *const regions_only[] = { IFACE("Region"), NULL };
static const char *const memdevs_only[] = { IFACE("Memdev"), NULL };
static const char *const windows_only[] = { IFACE("Window"), NULL };
static const char *const ranges_only[] = { IFACE("SoftReservedRange"), NULL };
static const char *const onlineable[] = { IFACE("Region"), IFACE("DaxDevice"), NULL };
static const char *const poisonable[] = { IFACE("Memdev"), IFACE("Region"), NULL };

/* Resolve args[@i] among @ifaces; its path (copied) and interface. */
static enum ctl_exit resolve(struct ctl *c, unsigned int i, const char *const ifaces[],
			     char **ret_path, const char **ret_kind)
{
	struct json_object *objects, *obj, *props;
	const char *path;
	enum ctl_exit e = ctl_objects(c, &objects);

	if (e)
		return e;
	path = ctl_find(objects, c->args->args[i], ifaces);
	if (path) {
		*ret_path = strdup(path);
		json_object_object_get_ex(objects, path, &obj);
		if (ret_kind)
			*ret_kind = ctl_kind(obj, &props);
	}
	json_object_put(objects);
	if (!path)
		return CTL_EXIT_FAILED;
	return *ret_path ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

static enum ctl_exit done(int r)
{
	return r < 0 ? (enum ctl_exit)-r : CTL_EXIT_OK;
}

static int append_memdevs(struct ctl *c, sd_bus_message *m, struct json_object *objects)
{
	int r = sd_bus_message_open_container(m, 'a', "o");

	for (unsigned int i = 0; r >= 0 && i < c->args->n_memdevs; i++) {
		const char *path = ctl_find(objects, c->args->memdevs[i], memdevs_only);

		if (!path)
			return -ENOENT;
		r = sd_bus_message_append(m, "o", path);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int append_options(struct ctl *c, sd_bus_message *m)
{
	if (c->args->uuid)
		return sd_bus_message_append(m, "a{sv}", 1, "uuid", "s", c->args->uuid);
	return sd_bus_message_append(m, "a{sv}", 0);
}

static enum ctl_exit print_created(struct ctl *c, sd_bus_message *reply)
{
	const char *region;
	int r = sd_bus_message_read(reply, "o", &region);

	if (r < 0) {
		fprintf(stderr, "Malformed CreateRegion reply: %s\n", strerror(-r));
		return CTL_EXIT_FAILED;
	}
	if (c->args->json)
		printf("{\"path\":\"%s\",\"name\":\"%s\"}\n", region, strrchr(region, '/') + 1);
	else
		printf("%s\n", strrchr(region, '/') + 1);
	return CTL_EXIT_OK;
}

static enum ctl_exit verb_create_region(struct ctl *c)
{
	const struct ctl_args *a = c->args;
	struct json_object *objects;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *window;
	enum ctl_exit e = ctl_objects(c, &objects);
	int r;

	if (e)
		return e;
	window = ctl_find(objects, a->args[0], windows_only);
	if (!window) {
		json_object_put(objects);
		return CTL_EXIT_FAILED;
	}
	r = sd_bus_message_new_method_call(c->bus, &m, CXLMEMD_BUS_NAME, window, IFACE("Window"),
					   a->empty ? "CreateEmptyRegion" : "CreateRegion");
	if (r >= 0)
		r = sd_bus_message_append(m, "stuu", a->mode, a->size, a->ways, a->granularity);
	if (r >= 0 && !a->empty)
		r = append_memdevs(c, m, objects);
	if (r >= 0)
		r = append_options(c, m);
	json_object_put(objects);
	if (r == -ENOENT) {
		sd_bus_message_unref(m);
		return CTL_EXIT_FAILED;
	}
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, a->ask_password);
	if (r >= 0)
		r = sd_bus_call(c->bus, m, 300 * 1000000ULL, &error, &reply);
	sd_bus_message_unref(m);
	e = r < 0 ? ctl_call_failed("create the region", &error, r) : print_created(c, reply);
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return e;
}

static enum ctl_exit verb_attach_target(struct ctl *c)
{
	char *region = NULL, *memdev = NULL;
	enum ctl_exit e;
	int r;

	if (c->args->number > UINT32_MAX) {
		fprintf(stderr, "Position %" PRIu64 " is out of range.\n", c->args->number);
		return CTL_EXIT_USAGE;
	}
	e = resolve(c, 0, regions_only, &region, NULL);
	if (!e)
		e = resolve(c, 1, memdevs_only, &memdev, NULL);
	if (!e) {
		r = ctl_call(c, region, IFACE("Region"), "AttachTarget", NULL, "ou", memdev,
			     (uint32_t)c->args->number);
		e = done(r);
	}
	free(region);
	free(memdev);
	return e;
}

/* Verbs that are one Region method and, at most, one flag. */
static enum ctl_exit verb_region_method(struct ctl *c)
{
	const struct ctl_args *a = c->args;
	char *region = NULL;
	enum ctl_exit e = resolve(c, 0, regions_only, &region, NULL);
	int r = 0;

	if (e)
		return e;
	switch (a->verb->id) {
	case VERB_DETACH_TARGET:
		r = a->number > UINT32_MAX ? -CTL_EXIT_USAGE :
		    ctl_call(c, region, IFACE("Region"), "DetachTarget", NULL, "u",
			     (uint32_t)a->number);
		break;
	case VERB_COMMIT:
		r = ctl_call(c, region, IFACE("Region"), "Commit", NULL, NULL);
		break;
	case VERB_DECOMMIT:
		r = ctl_call(c, region, IFACE("Region"), "Decommit", NULL, NULL);
		break;
	case VERB_ENABLE:
		r = ctl_call(c, region, IFACE("Region"), "Enable", NULL, NULL);
		break;
	case VERB_DISABLE:
		r = ctl_call(c, region, IFACE("Region"), "Disable", NULL, "b", a->force);
		break;
	case VERB_DELETE_REGION:
		r = ctl_call(c, region, IFACE("Region"), "Delete", NULL, "b", a->force);
		break;
	case VERB_DETACH:
		r = ctl_call(c, region, IFACE("Region"), "Detach", NULL, "s", a->args[1]);
		break;
	default:
		r = -CTL_EXIT_FAILED;
	}
	free(region);
	return done(r);
}

static enum ctl_exit verb_online_offline(struct ctl *c)
{
	bool online = c->args->verb->id == VERB_ONLINE;
	const char *kind = NULL;
	char *path = NULL;
	enum ctl_exit e = resolve(c, 0, onlineable, &path, &kind);
	int r;

	if (e)
		return e;
	if (online)
		r = ctl_call(c, path, kind, "Online", NULL, "s", c->args->zone);
	else if (strcmp(kind, IFACE("Region")) == 0)
		r = ctl_call(c, path, kind, "Offline", NULL, "b", c->args->force);
	else if (c->args->force)
		r = (fprintf(stderr, "--force applies to regions only.\n"), -CTL_EXIT_USAGE);
	else
		r = ctl_call(c, path, kind, "Offline", NULL, NULL);
	free(path);
	return done(r);
}

static enum ctl_exit run_command(char **command)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return CTL_EXIT_FAILED;
	if (pid == 0) {
		execvp(command[0], command);
		fprintf(stderr, "Cannot run %s: %m\n", command[0]);
		_exit(127);
	}
	/* The lease must outlive the command: ignore Ctrl-C, the child gets it. */
	signal(SIGINT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return CTL_EXIT_FAILED;
	return WIFEXITED(status) ? (enum ctl_exit)WEXITSTATUS(status) : CTL_EXIT_FAILED;
}

static enum ctl_exit verb_attach(struct ctl *c)
{
	sd_bus_message *reply = NULL;
	const char *lease;
	char *region = NULL;
	enum ctl_exit e = resolve(c, 0, regions_only, &region, NULL);
	int r;

	if (e)
		return e;
	r = ctl_call(c, region, IFACE("Region"), "Attach", &reply, "s", c->args->consumer);
	/* Authorized or not: the agent must not sit on the command's terminal. */
	polkit_agent_close();
	if (r >= 0 && sd_bus_message_read(reply, "s", &lease) >= 0) {
		if (c->args->json)
			printf("{\"region\":\"%s\",\"lease\":\"%s\"}\n", region, lease);
		else
			printf("Holding lease %s on %s%s.\n", lease, strrchr(region, '/') + 1,
			       c->args->hold ? " until Ctrl-C" : " while the command runs");
		fflush(stdout);
		if (c->args->hold) {
			if (ctl_run_until_signal(c) < 0)
				fprintf(stderr, "Lost the bus: the lease went with it.\n");
		} else
			e = run_command(c->args->command);
		/* The lease goes with our connection; Detach says so at once. */
		(void)ctl_call(c, region, IFACE("Region"), "Detach", NULL, "s", lease);
	} else {
		e = r < 0 ? (enum ctl_exit)-r : CTL_EXIT_FAILED;
	}
	sd_bus_message_unref(reply);
	free(region);
	return e;
}

static enum ctl_exit verb_poison_change(struct ctl *c)
{
	bool inject = c->args->verb->id == VERB_POISON_INJECT;
	const char *kind = NULL;
	char *path = NULL;
	enum ctl_exit e = resolve(c, 0, poisonable, &path, &kind);
	int r;

	if (e)
		return e;
	if (c->args->force)
		r = ctl_call(c, path, kind, inject ? "InjectPoison" : "ClearPoison", NULL,
			     "ta{sv}", c->args->number, 1, "force", "b", 1);
	else
		r = ctl_call(c, path, kind, inject ? "InjectPoison" : "ClearPoison", NULL,
			     "ta{sv}", c->args->number, 0);
	free(path);
	return done(r);
}

static enum ctl_exit verb_ownership_set(struct ctl *c)
{
	char *range = NULL;
	enum ctl_exit e = resolve(c, 0, ranges_only, &range, NULL);
	int r;

	if (e)
		return e;
	r = ctl_call(c, range, IFACE("SoftReservedRange"), "SetOwner", NULL, "sb",
		     c->args->args[1], c->args->persist);
	free(range);
	return done(r);
}

static enum ctl_exit verb_policy_reload(struct ctl *c)
{
	return done(ctl_call(c, CXLMEMD_ROOT, IFACE("Manager"), "ReloadPolicy", NULL, NULL));
}

typedef enum ctl_exit (*verb_fn)(struct ctl *c);

static const verb_fn run[_VERB_MAX] = {
	[VERB_STATUS] = verb_status,
	[VERB_LIST] = verb_list,
	[VERB_SHOW] = verb_show,
	[VERB_CREATE_REGION] = verb_create_region,
	[VERB_ATTACH_TARGET] = verb_attach_target,
	[VERB_DETACH_TARGET] = verb_region_method,
	[VERB_COMMIT] = verb_region_method,
	[VERB_DECOMMIT] = verb_region_method,
	[VERB_ENABLE] = verb_region_method,
	[VERB_DISABLE] = verb_region_method,
	[VERB_ONLINE] = verb_online_offline,
	[VERB_OFFLINE] = verb_online_offline,
	[VERB_ATTACH] = verb_attach,
	[VERB_DETACH] = verb_region_method,
	[VERB_DELETE_REGION] = verb_region_method,
	[VERB_POISON_INJECT] = verb_poison_change,
	[VERB_POISON_CLEAR] = verb_poison_change,
	[VERB_POISON_LIST] = verb_poison_list,
	[VERB_OWNERSHIP_EXPLAIN] = verb_ownership_explain,
	[VERB_OWNERSHIP_SET] = verb_ownership_set,
	[VERB_POLICY_RELOAD] = verb_policy_reload,
	[VERB_MONITOR] = verb_monitor,
};

/* Verbs that call a method polkit guards (see daemon/bouncer.c). */
static bool changes(enum verb_id id)
{
	switch (id) {
	case VERB_STATUS:
	case VERB_LIST:
	case VERB_SHOW:
	case VERB_POISON_LIST:
	case VERB_OWNERSHIP_EXPLAIN:
	case VERB_MONITOR:
		return false;
	default:
		return true;
	}
}

static int connect_bus(const struct ctl_args *a, sd_bus **ret)
{
	int r = sd_bus_open_system(ret);

	if (r < 0) {
		fprintf(stderr, "Cannot connect to the system bus: %s\n", strerror(-r));
		return r;
	}
	/* As systemd's *ctl tools: polkit may ask for a password on our tty. */
	return sd_bus_set_allow_interactive_authorization(*ret, a->ask_password);
}

int main(int argc, char *argv[])
{
	struct ctl_args args;
	struct ctl c = { .args = &args };
	enum ctl_exit e;

	if (ctl_parse(argc, argv, &args, stderr) < 0)
		return CTL_EXIT_USAGE;
	if (args.help) {
		if (args.verb)
			ctl_verb_help(args.verb, stdout);
		else if (args.help_group)
			ctl_group_help(args.help_group, stdout);
		else
			ctl_help(stdout);
		return CTL_EXIT_OK;
	}
	if (args.version) {
		printf("cxlmemctl %s\n", CXLMEMD_VERSION);
		return CTL_EXIT_OK;
	}
	if (connect_bus(&args, &c.bus) < 0)
		return CTL_EXIT_UNREACHABLE;
	if (args.ask_password && changes(args.verb->id))
		polkit_agent_open();
	e = run[args.verb->id](&c);
	polkit_agent_close();
	sd_bus_flush_close_unref(c.bus);
	return (int)e;
}
