// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "size.h"
#include "verbs.h"

#define REGION_OPTS (OPT_MODE | OPT_WAYS | OPT_GRANULARITY | OPT_MEMDEV | OPT_UUID | OPT_EMPTY)

static const struct verb verbs[] = {
	{ VERB_STATUS, "status", NULL, 0, 0, 0, "",
	  "Windows, memdevs, regions, Soft Reserved ranges, capabilities" },
	{ VERB_LIST, "list", NULL, 0, 1, 0, "[memdevs|windows|regions|ranges|dax]",
	  "List objects of one kind, or all" },
	{ VERB_SHOW, "show", NULL, 1, 1, 0, "OBJECT", "Show every property of one object" },
	{ VERB_CREATE_REGION, "create-region", NULL, 2, 2, REGION_OPTS, "WINDOW SIZE",
	  "Create a region (committed and enabled, or empty with --empty)" },
	{ VERB_ATTACH_TARGET, "attach-target", NULL, 3, 3, 0, "REGION MEMDEV POSITION",
	  "Add a memdev to an empty region at an interleave position" },
	{ VERB_DETACH_TARGET, "detach-target", NULL, 2, 2, 0, "REGION POSITION",
	  "Take the target at POSITION out of an uncommitted region" },
	{ VERB_COMMIT, "commit", NULL, 1, 1, 0, "REGION", "Commit a region's decoders" },
	{ VERB_DECOMMIT, "decommit", NULL, 1, 1, 0, "REGION", "Reset a region's decoders" },
	{ VERB_ENABLE, "enable", NULL, 1, 1, 0, "REGION", "Bind a committed region to its driver" },
	{ VERB_DISABLE, "disable", NULL, 1, 1, OPT_FORCE, "REGION", "Unbind a region" },
	{ VERB_ONLINE, "online", NULL, 1, 1, OPT_ZONE, "REGION|DAX",
	  "Online a region's (or a dax device's) memory as system RAM" },
	{ VERB_OFFLINE, "offline", NULL, 1, 1, OPT_FORCE, "REGION|DAX",
	  "Take that memory offline again" },
	{ VERB_ATTACH, "attach", NULL, 1, 1, OPT_CONSUMER | OPT_HOLD, "REGION [-- COMMAND...]",
	  "Hold a consumer lease while COMMAND runs (or until Ctrl-C with --hold)" },
	{ VERB_DETACH, "detach", NULL, 2, 2, 0, "REGION LEASE", "Drop a consumer lease" },
	{ VERB_DELETE_REGION, "delete-region", NULL, 1, 1, OPT_FORCE, "REGION",
	  "Tear a region down and delete it" },
	{ VERB_POISON_INJECT, "poison", "inject", 2, 2, OPT_FORCE, "MEMDEV|REGION ADDRESS",
	  "Inject poison (test only)" },
	{ VERB_POISON_CLEAR, "poison", "clear", 2, 2, 0, "MEMDEV|REGION ADDRESS",
	  "Clear poison" },
	{ VERB_POISON_LIST, "poison", "list", 1, 1, 0, "MEMDEV|REGION", "List poison records" },
	{ VERB_OWNERSHIP_EXPLAIN, "ownership", "explain", 0, 0, 0, "",
	  "Which driver owns each Soft Reserved range, and by which rule" },
	{ VERB_OWNERSHIP_SET, "ownership", "set", 2, 2, OPT_PERSIST, "RANGE cxl|hmem|auto",
	  "Override the policy for one range" },
	{ VERB_POLICY_RELOAD, "policy", "reload", 0, 0, 0, "", "Re-read the ownership policy" },
	{ VERB_MONITOR, "monitor", NULL, 0, 0, 0, "", "Print the daemon's change signals" },
};

const struct verb *verb_table(unsigned int *n)
{
	*n = sizeof(verbs) / sizeof(*verbs);
	return verbs;
}

enum {
	ARG_VERSION = 0x100,
	ARG_JSON,
	ARG_NO_ASK_PASSWORD,
	ARG_BYTES,
	ARG_NO_LEGEND,
	ARG_MODE,
	ARG_WAYS,
	ARG_GRANULARITY,
	ARG_MEMDEV,
	ARG_UUID,
	ARG_EMPTY,
	ARG_FORCE,
	ARG_ZONE,
	ARG_CONSUMER,
	ARG_HOLD,
	ARG_PERSIST,
};

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, ARG_VERSION },
	{ "json", no_argument, NULL, ARG_JSON },
	{ "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
	{ "bytes", no_argument, NULL, ARG_BYTES },
	{ "no-legend", no_argument, NULL, ARG_NO_LEGEND },
	{ "mode", required_argument, NULL, ARG_MODE },
	{ "ways", required_argument, NULL, ARG_WAYS },
	{ "granularity", required_argument, NULL, ARG_GRANULARITY },
	{ "memdev", required_argument, NULL, ARG_MEMDEV },
	{ "uuid", required_argument, NULL, ARG_UUID },
	{ "empty", no_argument, NULL, ARG_EMPTY },
	{ "force", no_argument, NULL, ARG_FORCE },
	{ "zone", required_argument, NULL, ARG_ZONE },
	{ "consumer", required_argument, NULL, ARG_CONSUMER },
	{ "hold", no_argument, NULL, ARG_HOLD },
	{ "persist", no_argument, NULL, ARG_PERSIST },
	{}
};

/* The option bit of a verb option, 0 for a global one. */
static unsigned int option_bit(int c)
{
	return c >= ARG_MODE && c <= ARG_PERSIST ? 1u << (c - ARG_MODE) : 0;
}

static int parse_u32(const char *what, const char *s, uint32_t *ret, FILE *err)
{
	uint64_t v;

	if (number_parse(s, &v) < 0 || v > UINT32_MAX) {
		fprintf(err, "Invalid %s '%s': expected a number.\n", what, s);
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

static int parse_option(int c, const char *arg, struct ctl_args *a, FILE *err)
{
	switch (c) {
	case 'h': a->help = true; break;
	case ARG_VERSION: a->version = true; break;
	case ARG_JSON: a->json = true; break;
	case ARG_NO_ASK_PASSWORD: a->ask_password = false; break;
	case ARG_BYTES: a->bytes = true; break;
	case ARG_NO_LEGEND: a->legend = false; break;
	case ARG_MODE:
		if (strcmp(arg, "ram") != 0 && strcmp(arg, "pmem") != 0) {
			fprintf(err, "Invalid --mode '%s': ram or pmem.\n", arg);
			return -EINVAL;
		}
		a->mode = arg;
		break;
	case ARG_WAYS: return parse_u32("--ways", arg, &a->ways, err);
	case ARG_GRANULARITY: return parse_u32("--granularity", arg, &a->granularity, err);
	case ARG_MEMDEV:
		if (a->n_memdevs == CTL_MAX_MEMDEVS) {
			fprintf(err, "At most %d --memdev.\n", CTL_MAX_MEMDEVS);
			return -EINVAL;
		}
		a->memdevs[a->n_memdevs++] = arg;
		break;
	case ARG_UUID: a->uuid = arg; break;
	case ARG_EMPTY: a->empty = true; break;
	case ARG_FORCE: a->force = true; break;
	case ARG_ZONE: a->zone = arg; break;
	case ARG_CONSUMER: a->consumer = arg; break;
	case ARG_HOLD: a->hold = true; break;
	case ARG_PERSIST: a->persist = true; break;
	default: return -EINVAL;
	}
	return 0;
}

static const struct verb *find_verb(char **pos, unsigned int n_pos, bool help, FILE *err)
{
	bool known = false;

	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++) {
		if (strcmp(verbs[i].name, pos[0]) != 0)
			continue;
		known = true;
		if (!verbs[i].sub || (n_pos > 1 && strcmp(verbs[i].sub, pos[1]) == 0))
			return &verbs[i];
	}
	if (known && help)
		return NULL;
	if (known)
		fprintf(err, "'%s' needs one of its sub-commands; see 'cxlmemctl %s --help'.\n",
			pos[0], pos[0]);
	else
		fprintf(err, "Unknown command '%s'; see 'cxlmemctl --help'.\n", pos[0]);
	return NULL;
}

static int parse_list_kind(const char *s, enum list_kind *ret, FILE *err)
{
	static const char *const names[] = {
		[LIST_MEMDEVS] = "memdevs", [LIST_WINDOWS] = "windows", [LIST_REGIONS] = "regions",
		[LIST_RANGES] = "ranges", [LIST_DAX] = "dax",
	};

	for (unsigned int k = LIST_MEMDEVS; k <= LIST_DAX; k++)
		if (strcmp(s, names[k]) == 0) {
			*ret = k;
			return 0;
		}
	fprintf(err, "Cannot list '%s': memdevs, windows, regions, ranges or dax.\n", s);
	return -EINVAL;
}

static int parse_number_arg(const char *what, const char *s, uint64_t *ret, FILE *err)
{
	if (number_parse(s, ret) < 0) {
		fprintf(err, "Invalid %s '%s': expected a number (decimal or 0x hex).\n", what, s);
		return -EINVAL;
	}
	return 0;
}

/* What a verb's positional arguments must be, beyond their count. */
static int check_args(struct ctl_args *a, FILE *err)
{
	switch (a->verb->id) {
	case VERB_LIST:
		return a->n_args ? parse_list_kind(a->args[0], &a->list, err) : 0;
	case VERB_CREATE_REGION:
		if (size_parse(a->args[1], &a->size) < 0 || a->size == 0) {
			fprintf(err, "Invalid size '%s': bytes, or a number with K, M, G or T.\n",
				a->args[1]);
			return -EINVAL;
		}
		if (!a->ways)
			a->ways = a->n_memdevs ? a->n_memdevs : 1;
		if (a->empty && a->n_memdevs) {
			fprintf(err, "--empty creates a region without targets; drop --memdev.\n");
			return -EINVAL;
		}
		return 0;
	case VERB_ATTACH_TARGET:
		return parse_number_arg("position", a->args[2], &a->number, err);
	case VERB_DETACH_TARGET:
		return parse_number_arg("position", a->args[1], &a->number, err);
	case VERB_POISON_INJECT:
	case VERB_POISON_CLEAR:
		return parse_number_arg("address", a->args[1], &a->number, err);
	case VERB_ATTACH:
		if (a->hold == !!a->command) {
			fprintf(err, "attach holds the lease while a command runs "
				     "(-- COMMAND...) or until Ctrl-C (--hold): give one.\n");
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}

static int check_verb(struct ctl_args *a, char **pos, unsigned int n_pos, unsigned int used,
		      FILE *err)
{
	const struct verb *v = find_verb(pos, n_pos, a->help, err);
	unsigned int words;

	if (!v && a->help) {
		/* "poison --help": the group's commands. */
		for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
			if (strcmp(verbs[i].name, pos[0]) == 0)
				a->help_group = pos[0];
		if (a->help_group)
			return 0;
		fprintf(err, "Unknown command '%s'; see 'cxlmemctl --help'.\n", pos[0]);
	}
	if (!v)
		return -EINVAL;
	a->verb = v;
	words = v->sub ? 2 : 1;
	a->args = pos + words;
	a->n_args = n_pos - words;
	if (a->help)
		return 0;
	if (used & ~v->options) {
		fprintf(err, "An option given does not apply to '%s%s%s'; see --help.\n", v->name,
			v->sub ? " " : "", v->sub ?: "");
		return -EINVAL;
	}
	if (a->command && v->id != VERB_ATTACH) {
		fprintf(err, "Only attach runs a command after '--'.\n");
		return -EINVAL;
	}
	if (a->n_args < v->min_args || a->n_args > v->max_args) {
		fprintf(err, "Usage: cxlmemctl %s%s%s %s\n", v->name, v->sub ? " " : "",
			v->sub ?: "", v->args);
		return -EINVAL;
	}
	return check_args(a, err);
}

/* "--" ends cxlmemctl's arguments: what follows is attach's command. */
static int split_command(int argc, char *argv[], struct ctl_args *a)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			a->command = i + 1 < argc ? argv + i + 1 : NULL;
			return a->command ? i : -EINVAL;
		}
	return argc;
}

int ctl_parse(int argc, char *argv[], struct ctl_args *ret, FILE *err)
{
	struct ctl_args a = {
		.ask_password = true, .legend = true, .mode = "ram", .zone = "movable",
		.consumer = "cxlmemctl",
	};
	unsigned int used = 0;
	int c;

	argc = split_command(argc, argv, &a);
	if (argc < 0) {
		fprintf(err, "Nothing after '--'.\n");
		return -EINVAL;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		if (c == '?') {
			if (optopt && optopt < 0x100)
				fprintf(err, "Unknown option -%c.\n", optopt);
			else
				fprintf(err, "Unknown option or missing value: %s\n",
					argv[optind - 1]);
			return -EINVAL;
		}
		if (parse_option(c, optarg, &a, err) < 0)
			return -EINVAL;
		used |= option_bit(c);
	}
	if (optind < argc && check_verb(&a, argv + optind, (unsigned int)(argc - optind), used,
					err) < 0)
		return -EINVAL;
	if (!a.verb && !a.help && !a.version) {
		fprintf(err, "No command given; see 'cxlmemctl --help'.\n");
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

static void print_verb_line(const struct verb *v, FILE *out)
{
	char head[64];

	snprintf(head, sizeof(head), "%s%s%s %s", v->name, v->sub ? " " : "", v->sub ?: "",
		 v->args);
	fprintf(out, "  %-42s %s\n", head, v->summary);
}

void ctl_group_help(const char *group, FILE *out)
{
	fprintf(out, "cxlmemctl [OPTIONS...] %s COMMAND ...\n\n", group);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
		if (strcmp(verbs[i].name, group) == 0)
			print_verb_line(&verbs[i], out);
	fprintf(out, "\nSee 'cxlmemctl %s COMMAND --help'.\n", group);
}

void ctl_help(FILE *out)
{
	fputs("cxlmemctl [OPTIONS...] COMMAND ...\n\n"
	      "Query and control CXL memory through cxlmemd (org.cxlmemd1).\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
		print_verb_line(&verbs[i], out);
	fputs("\nOptions:\n"
	      "  -h --help              Show this help, or a command's with COMMAND --help\n"
	      "     --version           Show package version\n"
	      "     --json              Print JSON (sizes and addresses in bytes)\n"
	      "     --bytes             Print exact byte counts instead of KiB/MiB/GiB\n"
	      "     --no-legend         Leave out table headers\n"
	      "     --no-ask-password   Do not ask for a password (polkit)\n"
	      "\nSee cxlmemctl(1) for each command's options and the exit status.\n", out);
}

static const char *const option_help[] = {
	"     --mode=ram|pmem      Region mode (default ram)",
	"     --ways=N             Interleave ways (default: number of --memdev, or 1)",
	"     --granularity=N      Interleave granularity in bytes (default: the window's)",
	"     --memdev=MEMDEV      A target, in position order; repeat per way\n"
	"                          (default: cxlmemd picks)",
	"     --uuid=UUID          pmem region uuid",
	"     --empty              Create the region without targets (then attach-target)",
	"     --force              Do it although the region is leased or the memory online",
	"     --zone=movable|normal  Memory zone to online into (default movable)",
	"     --consumer=NAME      Who holds the lease (default cxlmemctl)",
	"     --hold               Keep the lease until Ctrl-C",
	"     --persist            Write the override to policy.d, to survive restarts",
};

void ctl_verb_help(const struct verb *v, FILE *out)
{
	fprintf(out, "cxlmemctl [OPTIONS...] %s%s%s %s\n\n%s.\n", v->name, v->sub ? " " : "",
		v->sub ?: "", v->args, v->summary);
	if (v->options)
		fputs("\nOptions:\n", out);
	for (unsigned int b = 0; b < sizeof(option_help) / sizeof(*option_help); b++)
		if (v->options & (1u << b))
			fprintf(out, "%s\n", option_help[b]);
	fputs("\nGlobal options: --json --bytes --no-legend --no-ask-password.\n", out);
}
