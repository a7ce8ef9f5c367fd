// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "tracefs.h"

/* Lines as 6.12's TP_printk of cxl_poison and cxl_general_media print them. */
static const char mapped[] =
	"            bash-245     [001] .....    31.123456: cxl_poison: memdev=mem5 "
	"host=cxl_mem.4 serial=5 trace_type=Inject region=region0 "
	"region_uuid=2bd3bd8d-ed7d-4f29-b3f3-4ab5a5e2a0b1 hpa=0xf010001040 dpa=0x40 "
	"dpa_length=0x40 source=Injected flags= overflow_time=0\n";
static const char unmapped[] =
	" kworker/u8:1-40 [000] ..... 9.5: cxl_poison: memdev=mem10 host=cxl_mem.9 "
	"serial=10 trace_type=List region= region_uuid=00000000-0000-0000-0000-000000000000 "
	"hpa=0xffffffffffffffff dpa=0x10000000 dpa_length=0x200 source=Unknown "
	"flags=More|Scanning overflow_time=0";
static const char media[] =
	"   bash-300 [000] ..... 40.0: cxl_general_media: memdev=mem3 host=cxl_mem.2 "
	"serial=3 log=Failure : time=0 uuid=fbcd0a77-c260-417f-85a9-088b1621eba6 len=128 "
	"flags='0x1' handle=0 related_handle=0 maint_op_class=0 : dpa=7000 "
	"dpa_flags='' descriptor='' type='' transaction_type='' channel=1 rank=30 device=0 "
	"comp_id=00-00 validity_flags='' hpa=ffffffffffffffff region= region_uuid=0\n";

static void test_mapped(void **state)
{
	struct poison_record r;

	assert_int_equal(poison_record_parse(mapped, &r), 1);
	assert_string_equal(r.memdev, "mem5");
	assert_string_equal(r.type, "Inject");
	assert_string_equal(r.region, "region0");
	assert_string_equal(r.source, "Injected");
	assert_int_equal(r.hpa, 0xf010001040ULL);
	assert_int_equal(r.dpa, 0x40);
	assert_int_equal(r.length, 0x40);
}

static void test_unmapped(void **state)
{
	struct poison_record r;

	assert_int_equal(poison_record_parse(unmapped, &r), 1);
	assert_string_equal(r.memdev, "mem10");
	assert_string_equal(r.type, "List");
	assert_string_equal(r.region, "");
	assert_int_equal(r.hpa, UINT64_MAX);
	assert_int_equal(r.dpa, 0x10000000);
	assert_int_equal(r.length, 0x200);
	assert_string_equal(r.source, "Unknown");
}

static void test_other_lines(void **state)
{
	struct poison_record r;
	char buf[32];

	assert_int_equal(poison_record_parse(media, &r), 0);
	assert_int_equal(poison_record_parse("# tracer: nop\n", &r), 0);
	assert_int_equal(poison_record_parse("", &r), 0);
	/* A cxl_poison line that lost its dpa: malformed, not a record. */
	assert_int_equal(poison_record_parse("x [0] . 1.0: cxl_poison: memdev=mem0 "
					     "trace_type=List region= hpa=0x0 source=x "
					     "dpa_length=0x40", &r), -EBADMSG);
	/* A number that is not one. */
	assert_int_equal(poison_record_parse("x [0] . 1.0: cxl_poison: memdev=mem0 "
					     "trace_type=List region= hpa=0xzz dpa=0 "
					     "source=x dpa_length=0x40", &r), -EBADMSG);
	/* Any CXL event: its memdev and region. */
	assert_true(trace_line_field(media, "memdev", buf, sizeof(buf)));
	assert_string_equal(buf, "mem3");
	assert_true(trace_line_field(media, "region", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(trace_line_field(media, "nosuch", buf, sizeof(buf)));
	/* The comm is not a field, even when it looks like one. */
	assert_false(trace_line_field("memdev=x-1 [0] . 1.0: cxl_dram: log=x", "memdev", buf,
				      sizeof(buf)));
	/* Too long for the buffer: refused, not truncated. */
	assert_false(trace_line_field(mapped, "region_uuid", buf, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_unmapped),
		cmocka_unit_test(test_other_lines),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
