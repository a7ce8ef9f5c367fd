// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus-interfaces.h"
#include "introspect.h"
#include "macro.h"

static const char full_doc[] =
	"<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
	"\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
	"<node>\n"
	" <interface name=\"org.freedesktop.DBus.Peer\">\n"
	"  <method name=\"Ping\"/>\n"
	" </interface>\n"
	" <interface name=\"org.example.A\">\n"
	"  <property name=\"X\" type=\"s\" access=\"read\"/>\n"
	" </interface>\n"
	"</node>\n";

static void test_extract_found(void **state)
{
	_cleanup_free_ char *xml = NULL;

	assert_int_equal(xml_extract_interface(full_doc, "org.example.A", &xml), 0);
	assert_string_equal(xml,
		"<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
		"\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
		"<node>\n"
		" <interface name=\"org.example.A\">\n"
		"  <property name=\"X\" type=\"s\" access=\"read\"/>\n"
		" </interface>\n"
		"</node>\n");
}

static void test_extract_missing(void **state)
{
	char *xml = NULL;

	/* A prefix of an existing name is not a match. */
	assert_int_equal(xml_extract_interface(full_doc, "org.example", &xml), -ENOENT);
	assert_int_equal(xml_extract_interface(full_doc, "org.example.B", &xml), -ENOENT);
	assert_null(xml);
}

static void test_extract_unterminated(void **state)
{
	char *xml = NULL;

	assert_int_equal(xml_extract_interface(" <interface name=\"a.b\">\n  <method",
					       "a.b", &xml), -EBADMSG);
	assert_null(xml);
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f, *mem;
	int c;

	f = fopen(path, "re");
	if (!f)
		return NULL;
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(mem);
	fclose(f);
	return buf;
}

/* The shipped XML is the documentation clients read: it must be exactly
 * what the vtables produce. */
static void test_shipped_xml_matches_vtables(void **state)
{
	const char *root = getenv("CXLMEMD_SOURCE_ROOT");
	int checked = 0;

	assert_non_null(root);
	for (const struct bus_interface *i = cxlmemd_bus_interfaces; i->name; i++) {
		_cleanup_free_ char *path = NULL, *shipped = NULL, *live = NULL;

		assert_true(asprintf(&path, "%s/dbus/%s.xml", root, i->name) > 0);
		shipped = read_file(path);
		if (!shipped)
			fail_msg("%s is missing: generate it with "
				 "'cxlmemd --bus-introspect=%s > dbus/%s.xml'",
				 path, i->name, i->name);
		assert_int_equal(bus_introspect_interface(i, &live), 0);
		if (strcmp(shipped, live) != 0)
			fail_msg("%s differs from the daemon's vtable; regenerate it "
				 "with 'cxlmemd --bus-introspect=%s > dbus/%s.xml'.\n"
				 "--- vtable says:\n%s",
				 path, i->name, i->name, live);
		checked++;
	}
	assert_true(checked > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract_found),
		cmocka_unit_test(test_extract_missing),
		cmocka_unit_test(test_extract_unterminated),
		cmocka_unit_test(test_shipped_xml_matches_vtables),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
