/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sidecar index: what is written reads back field for field, the
 * builder's flow summary, and every kind of malformed document the reader
 * must refuse with its reason (missing members, wrong types, values out of
 * range, unsafe file names, truncated JSON).
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/sidecar.h"

static char dir[64];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtap-sidecar-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(sidecar, .init = setup, .fini = teardown);

static void
key4(struct flowkey *k, uint8_t lo_last, uint16_t lo_port, uint8_t hi_last,
     uint16_t hi_port, uint8_t proto, uint32_t vni)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->addr_lo[0] = 192;
	k->addr_lo[1] = 0;
	k->addr_lo[2] = 2;
	k->addr_lo[3] = lo_last;
	k->addr_hi[0] = 198;
	k->addr_hi[1] = 51;
	k->addr_hi[2] = 100;
	k->addr_hi[3] = hi_last;
	k->port_lo = lo_port;
	k->port_hi = hi_port;
	k->proto = proto;
	k->vni = vni;
}

/* A sidecar with one IPv4, one IPv6 and one non-IP flow. */
static struct sidecar_flow sample_flows[3];

static void
sample(struct sidecar *sc)
{
	struct flowkey *k;

	memset(sample_flows, 0, sizeof(sample_flows));
	key4(&sample_flows[0].key, 1, 443, 2, 50112, 6, 7);
	snprintf(sample_flows[0].proto, FLOW_PROTO_NAMELEN, "TLS.Google");
	sample_flows[0].packets = 1100;
	sample_flows[0].bytes = 700000;
	sample_flows[0].first_ns = 1795696700123456789ull;
	sample_flows[0].last_ns = 1795696759000000000ull;

	k = &sample_flows[1].key;
	k->family = 6;
	k->addr_lo[0] = 0x20;
	k->addr_lo[1] = 0x01;
	k->addr_lo[2] = 0x0d;
	k->addr_lo[3] = 0xb8;
	k->addr_lo[15] = 1;
	k->addr_hi[0] = 0x20;
	k->addr_hi[1] = 0x01;
	k->addr_hi[2] = 0x0d;
	k->addr_hi[3] = 0xb8;
	k->addr_hi[5] = 1;
	k->addr_hi[15] = 2;
	k->port_lo = 53;
	k->port_hi = 40000;
	k->proto = 17;
	k->vni = 0xffffff;
	snprintf(sample_flows[1].proto, FLOW_PROTO_NAMELEN, "DNS");
	sample_flows[1].packets = 2;
	sample_flows[1].bytes = 180;
	sample_flows[1].first_ns = 1795696701000000000ull;
	sample_flows[1].last_ns = 1795696701000000001ull;

	k = &sample_flows[2].key;
	k->family = 0;
	memcpy(k->addr_lo, "\x02\x00\x00\x00\x00\x0a", 6);
	memcpy(k->addr_hi, "\xff\xff\xff\xff\xff\xff", 6);
	k->ethertype = 0x0806;
	sample_flows[2].packets = 1;
	sample_flows[2].bytes = 60;
	sample_flows[2].first_ns = sample_flows[2].last_ns = 1795696702000000000ull;

	sidecar_init(sc);
	snprintf(sc->file, sizeof(sc->file),
		 "vtap-w0-20261126T124500.123456789Z.pcap");
	sc->first_ns = 1795696700123456789ull;
	sc->last_ns = 1795696759000000000ull;
	sc->packets = 1103;
	sc->bytes = 700240;
	sc->pcap_size = 753224;
	sc->file_size = 753224;
	sc->flows_truncated = true;
	sc->flow_count = 3;
	sc->flows = sample_flows; /* borrowed: never sidecar_finish'ed */
}

/* The sample as JSON text (owned by the caller: free). */
static char *
sample_text(size_t *len)
{
	struct sidecar sc;
	char err[256], path[128];
	FILE *f;
	char *buf;
	long n;

	sample(&sc);
	cr_assert_eq(sidecar_write(dir, &sc, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/vtap-w0-20261126T124500.123456789Z.idx.json",
		 dir);
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parse text after applying edit to its JSON tree. */
static enum sidecar_err
parse_edited(void (*edit)(json_t *root, const char *arg), const char *arg,
	     char *detail, size_t detaillen)
{
	struct sidecar out;
	json_error_t jerr;
	enum sidecar_err e;
	size_t len;
	char *text = sample_text(&len);
	json_t *root = json_loadb(text, len, 0, &jerr);
	char *edited;

	cr_assert_not_null(root, "%s", jerr.text);
	edit(root, arg);
	edited = json_dumps(root, JSON_COMPACT);
	e = sidecar_parse(edited, strlen(edited), false, &out, detail,
			  detaillen);
	if (e == SIDECAR_OK) {
		sidecar_finish(&out);
	}
	free(edited);
	json_decref(root);
	free(text);
	return e;
}

static void
del_top(json_t *root, const char *name)
{
	json_object_del(root, name);
}

static void
del_flow(json_t *root, const char *name)
{
	json_object_del(json_array_get(json_object_get(root, "flows"), 1), name);
}

static void
string_top(json_t *root, const char *name)
{
	json_object_set_new(root, name, json_string("12"));
}

static void
array_flow(json_t *root, const char *name)
{
	json_object_set_new(json_array_get(json_object_get(root, "flows"), 0),
			    name, json_array());
}

static const char *const top_members[] = {
	"version", "file", "compression", "first_ns", "last_ns", "packets",
	"bytes", "pcap_size", "file_size", "flows_truncated", "flows",
};

static const char *const flow_members[] = {
	"family", "lo", "hi", "lo_port", "hi_port", "ip_proto", "ethertype",
	"vni", "proto", "packets", "bytes", "first_ns", "last_ns",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(sidecar, written_index_reads_back_field_for_field)
{
	struct sidecar in, out;
	char err[256], path[128];
	enum sidecar_err e;

	sample(&in);
	cr_assert_eq(sidecar_write(dir, &in, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/vtap-w0-20261126T124500.123456789Z.idx.json",
		 dir);
	e = sidecar_read(path, false, &out, err, sizeof(err));
	cr_assert_eq(e, SIDECAR_OK, "%s: %s", sidecar_strerror(e), err);
	cr_assert_str_eq(out.file, in.file);
	cr_assert_eq(out.compressed, false);
	cr_assert_eq(out.first_ns, in.first_ns);
	cr_assert_eq(out.last_ns, in.last_ns);
	cr_assert_eq(out.packets, in.packets);
	cr_assert_eq(out.bytes, in.bytes);
	cr_assert_eq(out.pcap_size, in.pcap_size);
	cr_assert_eq(out.file_size, in.file_size);
	cr_assert_eq(out.flows_truncated, true);
	cr_assert_eq(out.flow_count, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert(flowkey_equal(&out.flows[i].key, &in.flows[i].key),
			  "flow %zu key", i);
		cr_assert_str_eq(out.flows[i].proto, in.flows[i].proto);
		cr_assert_eq(out.flows[i].packets, in.flows[i].packets);
		cr_assert_eq(out.flows[i].bytes, in.flows[i].bytes);
		cr_assert_eq(out.flows[i].first_ns, in.flows[i].first_ns);
		cr_assert_eq(out.flows[i].last_ns, in.flows[i].last_ns);
	}
	sidecar_finish(&out);
	/* no temporary file is left behind */
	snprintf(path, sizeof(path),
		 "%s/vtap-w0-20261126T124500.123456789Z.idx.json.tmp", dir);
	cr_assert_neq(access(path, F_OK), 0);
}

Test(sidecar, endpoints_are_written_as_text)
{
	size_t len;
	char *text = sample_text(&len);

	cr_assert_not_null(strstr(text, "\"lo\":\"192.0.2.1\""), "%s", text);
	cr_assert_not_null(strstr(text, "\"hi\":\"198.51.100.2\""));
	cr_assert_not_null(strstr(text, "\"lo\":\"2001:db8::1\""));
	cr_assert_not_null(strstr(text, "\"lo\":\"02:00:00:00:00:0a\""));
	cr_assert_not_null(strstr(text, "\"l4\":\"tcp\""));
	cr_assert_not_null(strstr(text, "\"proto\":\"TLS.Google\""));
	free(text);
}

Test(sidecar, document_is_written_member_for_member_as_before)
{
	/* the layout readers and older files share: summary, then a flow a line */
	static const char want[] =
		"{\"version\":1,\"file\":\"vtap-w0-20261126T124500.123456789Z.pcap\","
		"\"compression\":\"none\",\"first_ns\":1795696700123456789,"
		"\"last_ns\":1795696759000000000,\"packets\":1103,\"bytes\":700240,"
		"\"pcap_size\":753224,\"file_size\":753224,\"flows_truncated\":true,"
		"\"flow_count\":3,\"flows\":[\n"
		"{\"family\":4,\"lo\":\"192.0.2.1\",\"lo_port\":443,\"hi\":\"198.51.100.2\","
		"\"hi_port\":50112,\"ip_proto\":6,\"l4\":\"tcp\",\"ethertype\":0,\"vni\":7,"
		"\"proto\":\"TLS.Google\",\"packets\":1100,\"bytes\":700000,"
		"\"first_ns\":1795696700123456789,\"last_ns\":1795696759000000000},\n"
		"{\"family\":6,\"lo\":\"2001:db8::1\",\"lo_port\":53,\"hi\":\"2001:db8:1::2\","
		"\"hi_port\":40000,\"ip_proto\":17,\"l4\":\"udp\",\"ethertype\":0,"
		"\"vni\":16777215,\"proto\":\"DNS\",\"packets\":2,\"bytes\":180,"
		"\"first_ns\":1795696701000000000,\"last_ns\":1795696701000000001},\n"
		"{\"family\":0,\"lo\":\"02:00:00:00:00:0a\",\"lo_port\":0,"
		"\"hi\":\"ff:ff:ff:ff:ff:ff\",\"hi_port\":0,\"ip_proto\":0,\"l4\":\"\","
		"\"ethertype\":2054,\"vni\":0,\"proto\":\"\",\"packets\":1,\"bytes\":60,"
		"\"first_ns\":1795696702000000000,\"last_ns\":1795696702000000000}\n"
		"]}\n";
	size_t len;
	char *text = sample_text(&len);

	cr_assert_str_eq(text, want);
	cr_assert_eq(len, sizeof(want) - 1);
	free(text);
}

Test(sidecar, document_without_flows_is_still_one_object)
{
	struct sidecar sc;
	char err[256], path[128];
	struct sidecar out;
	enum sidecar_err e;

	sample(&sc);
	sc.flow_count = 0;
	sc.flows = NULL;
	cr_assert_eq(sidecar_write(dir, &sc, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/vtap-w0-20261126T124500.123456789Z.idx.json",
		 dir);
	e = sidecar_read(path, false, &out, err, sizeof(err));
	cr_assert_eq(e, SIDECAR_OK, "%s: %s", sidecar_strerror(e), err);
	cr_assert_eq(out.flow_count, 0);
	sidecar_finish(&out);
}

/*
 * A summary read takes the head only: with the flow list after the head
 * ruined, the summary still reads (and the whole document does not); a
 * sidecar without "flow_count" (older writers) is read whole.
 */
Test(sidecar, summary_read_stops_at_the_flow_list)
{
	static struct sidecar_flow flows[2000];
	struct sidecar sc, out;
	char err[256], path[128];
	enum sidecar_err e;
	FILE *f;
	long at;

	sample(&sc);
	for (size_t i = 0; i < 2000; i++) {
		key4(&flows[i].key, (uint8_t)i, (uint16_t)i, (uint8_t)(i >> 8), 80, 6, 1);
		flows[i].packets = 1;
		flows[i].bytes = 60;
		flows[i].first_ns = flows[i].last_ns = 1795696700200000000ull;
	}
	sc.flows = flows;
	sc.flow_count = 2000;
	cr_assert_eq(sidecar_write(dir, &sc, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/vtap-w0-20261126T124500.123456789Z.idx.json",
		 dir);
	/* overwrite the middle of the flow list with garbage */
	cr_assert_not_null(f = fopen(path, "r+"));
	fseek(f, 0, SEEK_END);
	at = ftell(f) / 2;
	fseek(f, at, SEEK_SET);
	fputs("#### not JSON ####", f);
	fclose(f);

	e = sidecar_read(path, true, &out, err, sizeof(err));
	cr_assert_eq(e, SIDECAR_OK, "%s: %s", sidecar_strerror(e), err);
	cr_assert_eq(out.flow_count, 2000);
	cr_assert_eq(out.packets, 1103);
	cr_assert_eq(out.last_ns, 1795696759000000000ull);
	cr_assert(out.flows_truncated);
	cr_assert_null(out.flows);
	sidecar_finish(&out);
	cr_assert_eq(sidecar_read(path, false, &out, err, sizeof(err)), SIDECAR_ERR_JSON);

	/* no flow_count: the head is not enough, the whole is read */
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("{\"version\":1,\"file\":\"a-w0-20260101T000000.000000000Z.pcap\","
	      "\"compression\":\"none\",\"first_ns\":1,\"last_ns\":2,\"packets\":2,"
	      "\"bytes\":120,\"pcap_size\":176,\"file_size\":176,"
	      "\"flows_truncated\":false,\"flows\":[\n#]}", f);
	fclose(f);
	cr_assert_eq(sidecar_read(path, true, &out, err, sizeof(err)), SIDECAR_ERR_JSON);
}

Test(sidecar, flow_count_must_match_the_flows_listed)
{
	static const char doc[] =
		"{\"version\":1,\"file\":\"a-w0-20260101T000000.000000000Z.pcap\","
		"\"compression\":\"none\",\"first_ns\":1,\"last_ns\":2,\"packets\":2,"
		"\"bytes\":120,\"pcap_size\":176,\"file_size\":176,"
		"\"flows_truncated\":false,\"flow_count\":1,\"flows\":[]}";
	char detail[256];
	struct sidecar out;

	cr_assert_eq(sidecar_parse(doc, strlen(doc), true, &out, detail, sizeof(detail)),
		     SIDECAR_ERR_RANGE);
	cr_assert(strstr(detail, "flow_count") != NULL, "%s", detail);
}

Test(sidecar, many_flows_are_written_across_chunks)
{
	static struct sidecar_flow flows[5000];
	struct sidecar sc, out;
	char err[256], path[128];
	enum sidecar_err e;

	sample(&sc);
	for (size_t i = 0; i < 5000; i++) {
		key4(&flows[i].key, (uint8_t)i, (uint16_t)i, (uint8_t)(i >> 8), 80, 6,
		     (uint32_t)i);
		snprintf(flows[i].proto, FLOW_PROTO_NAMELEN, "P%zu", i);
		flows[i].packets = i + 1;
		flows[i].bytes = 60 * (i + 1);
		flows[i].first_ns = 1795696700000000000ull + i;
		flows[i].last_ns = flows[i].first_ns + i;
	}
	sc.flows = flows;
	sc.flow_count = 5000;
	cr_assert_eq(sidecar_write(dir, &sc, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/vtap-w0-20261126T124500.123456789Z.idx.json",
		 dir);
	e = sidecar_read(path, false, &out, err, sizeof(err));
	cr_assert_eq(e, SIDECAR_OK, "%s: %s", sidecar_strerror(e), err);
	cr_assert_eq(out.flow_count, 5000);
	for (size_t i = 0; i < 5000; i += 499) {
		cr_assert(flowkey_equal(&out.flows[i].key, &flows[i].key), "flow %zu", i);
		cr_assert_str_eq(out.flows[i].proto, flows[i].proto);
		cr_assert_eq(out.flows[i].bytes, flows[i].bytes);
	}
	sidecar_finish(&out);
}

Test(sidecar, summary_only_read_keeps_no_flows)
{
	struct sidecar out;
	size_t len;
	char *text = sample_text(&len);

	cr_assert_eq(sidecar_parse(text, len, true, &out, NULL, 0), SIDECAR_OK);
	cr_assert_eq(out.flow_count, 3);
	cr_assert_null(out.flows);
	cr_assert_eq(out.packets, 1103);
	sidecar_finish(&out);
	free(text);
}

Test(sidecar, unknown_members_are_ignored)
{
	static const char doc[] =
		"{\"version\":1,\"file\":\"a-w0-20260101T000000.000000000Z.pcap.lz4\","
		"\"compression\":\"lz4\",\"first_ns\":1,\"last_ns\":2,\"packets\":2,"
		"\"bytes\":120,\"pcap_size\":176,\"file_size\":100,"
		"\"flows_truncated\":false,\"future\":{\"x\":[1]},\"flows\":[]}";
	struct sidecar out;

	cr_assert_eq(sidecar_parse(doc, strlen(doc), false, &out, NULL, 0),
		     SIDECAR_OK);
	cr_assert(out.compressed);
	cr_assert_eq(out.flow_count, 0);
	sidecar_finish(&out);
}

Test(sidecar, every_missing_member_is_refused)
{
	char detail[256];

	for (size_t i = 0; i < COUNT(top_members); i++) {
		cr_assert_eq(parse_edited(del_top, top_members[i], detail,
					  sizeof(detail)),
			     SIDECAR_ERR_MISSING, "without %s", top_members[i]);
		cr_assert_not_null(strstr(detail, top_members[i]), "%s", detail);
	}
	for (size_t i = 0; i < COUNT(flow_members); i++) {
		cr_assert_eq(parse_edited(del_flow, flow_members[i], detail,
					  sizeof(detail)),
			     SIDECAR_ERR_MISSING, "without flows[1].%s",
			     flow_members[i]);
		cr_assert_not_null(strstr(detail, "flows[1]"), "%s", detail);
	}
}

Test(sidecar, every_member_of_the_wrong_type_is_refused)
{
	char detail[256];

	for (size_t i = 0; i < COUNT(top_members); i++) {
		enum sidecar_err e = parse_edited(string_top, top_members[i],
						  detail, sizeof(detail));

		if (strcmp(top_members[i], "file") == 0) {
			cr_assert_eq(e, SIDECAR_ERR_NAME); /* "12" is a string */
		} else if (strcmp(top_members[i], "compression") == 0) {
			cr_assert_eq(e, SIDECAR_ERR_RANGE);
		} else {
			cr_assert_eq(e, SIDECAR_ERR_TYPE, "%s as a string: %s",
				     top_members[i], sidecar_strerror(e));
		}
	}
	for (size_t i = 0; i < COUNT(flow_members); i++) {
		cr_assert_eq(parse_edited(array_flow, flow_members[i], detail,
					  sizeof(detail)),
			     SIDECAR_ERR_TYPE, "flows[0].%s as an array",
			     flow_members[i]);
	}
}

static void
set_raw(json_t *root, const char *spec)
{
	/* spec: "top|flow MEMBER JSON" */
	char where[8], name[32], value[128];
	json_t *v, *obj = root;

	cr_assert_eq(sscanf(spec, "%7s %31s %127[^\n]", where, name, value), 3);
	v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	cr_assert_not_null(v, "%s", value);
	if (strcmp(where, "flow") == 0) {
		obj = json_array_get(json_object_get(root, "flows"), 0);
	}
	json_object_set_new(obj, name, v);
}

Test(sidecar, values_out_of_range_are_refused)
{
	static const char *const specs[] = {
		"top version 2",
		"top packets -1",
		"top first_ns 1795696759000000001",
		"top flows_truncated 0",
		"top compression \"gzip\"",
		"top first_ns 1.5",
		"flow family 5",
		"flow lo_port 65536",
		"flow hi_port -3",
		"flow ip_proto 256",
		"flow ethertype 70000",
		"flow vni 16777216",
		"flow first_ns 1795696759000000001",
		"flow proto \"0123456789012345678901234567890123456789012345678\"",
		"flow lo \"300.1.2.3\"",
		"flow hi \"2001:db8::1\"",
		"flow lo \"\"",
		"flow family 0",
	};
	static const enum sidecar_err want[] = {
		SIDECAR_ERR_VERSION, SIDECAR_ERR_RANGE, SIDECAR_ERR_RANGE,
		SIDECAR_ERR_TYPE,    SIDECAR_ERR_RANGE, SIDECAR_ERR_TYPE,
		SIDECAR_ERR_RANGE,   SIDECAR_ERR_RANGE, SIDECAR_ERR_RANGE,
		SIDECAR_ERR_RANGE,   SIDECAR_ERR_RANGE, SIDECAR_ERR_RANGE,
		SIDECAR_ERR_RANGE,   SIDECAR_ERR_RANGE, SIDECAR_ERR_ADDRESS,
		SIDECAR_ERR_ADDRESS, SIDECAR_ERR_ADDRESS, SIDECAR_ERR_ADDRESS,
	};
	char detail[256];

	for (size_t i = 0; i < COUNT(specs); i++) {
		enum sidecar_err e = parse_edited(set_raw, specs[i], detail,
						  sizeof(detail));

		cr_assert_eq(e, want[i], "%s: got %s (%s)", specs[i],
			     sidecar_strerror(e), detail);
	}
}

Test(sidecar, unsafe_file_names_are_refused)
{
	static const char *const names[] = {
		"\"../../etc/passwd.pcap\"", "\"a/b.pcap\"", "\".hidden.pcap\"",
		"\"x.txt\"", "\"\"", "\".pcap\"", "\"x.pcap.part\"",
		"\"x y.pcap\"", "\"x.pcap.lz4\"", /* lz4 name, "none" compression */
		"\"x\\u0000.pcap\"",
	};
	char spec[128], detail[256];

	for (size_t i = 0; i < COUNT(names); i++) {
		enum sidecar_err e;

		snprintf(spec, sizeof(spec), "top file %s", names[i]);
		e = parse_edited(set_raw, spec, detail, sizeof(detail));
		/* jansson refuses \u0000 itself unless asked: never OK */
		cr_assert(e == SIDECAR_ERR_NAME ||
				  (i == COUNT(names) - 1 && e != SIDECAR_OK),
			  "%s: got %s", names[i], sidecar_strerror(e));
	}
	cr_assert(sidecar_file_name_ok("vtap-w0-20261126T124500.123456789Z.pcap"));
	cr_assert(sidecar_file_name_ok("vtap-w0-20261126T124500.123456789Z.pcap.lz4"));
}

/* A stem so long that STEM.idx.json.tmp would not fit a directory entry
 * is refused (found by fuzz_sidecar: the write of such an index failed). */
Test(sidecar, names_whose_index_would_not_fit_are_refused)
{
	char name[SIDECAR_NAME_MAX], err[256];
	struct sidecar sc;

	for (size_t stem = SIDECAR_STEM_MAX; stem <= SIDECAR_STEM_MAX + 1; stem++) {
		memset(name, 'a', stem);
		strcpy(name + stem, ".pcap.lz4");
		cr_assert_eq(sidecar_file_name_ok(name), stem == SIDECAR_STEM_MAX, "%zu", stem);
		strcpy(name + stem, ".pcap");
		cr_assert_eq(sidecar_file_name_ok(name), stem == SIDECAR_STEM_MAX, "%zu", stem);
	}
	memset(name, 'a', SIDECAR_STEM_MAX);
	strcpy(name + SIDECAR_STEM_MAX, ".pcap");
	sample(&sc);
	memcpy(sc.file, name, strlen(name) + 1);
	cr_assert_eq(sidecar_write(dir, &sc, err, sizeof(err)), 0, "%s", err);
}

Test(sidecar, truncated_json_is_refused_at_every_length)
{
	struct sidecar out;
	char detail[256];
	size_t len;
	char *text = sample_text(&len);

	for (size_t n = 0; n + 2 < len; n++) {
		enum sidecar_err e = sidecar_parse(text, n, false, &out, detail,
						   sizeof(detail));

		cr_assert_eq(e, SIDECAR_ERR_JSON, "cut at %zu: %s", n,
			     sidecar_strerror(e));
		cr_assert_eq(out.flows, NULL);
	}
	free(text);
}

Test(sidecar, documents_that_are_not_sidecars_are_refused)
{
	static const struct {
		const char *text;
		enum sidecar_err want;
	} cases[] = {
		{ "[]", SIDECAR_ERR_TYPE },
		{ "\"x\"", SIDECAR_ERR_JSON }, /* not an object or array */
		{ "{}", SIDECAR_ERR_MISSING },
		{ "{\"version\":1,\"version\":1}", SIDECAR_ERR_JSON },
		{ "{\"version\":1} trailing", SIDECAR_ERR_JSON },
		{ "{\"version\":1,\"file\":\"a.pcap\",\"compression\":\"none\","
		  "\"first_ns\":0,\"last_ns\":0,\"packets\":0,\"bytes\":0,"
		  "\"pcap_size\":24,\"file_size\":24,\"flows_truncated\":false,"
		  "\"flows\":{}}",
		  SIDECAR_ERR_TYPE },
		{ "{\"version\":1,\"file\":\"a.pcap\",\"compression\":\"none\","
		  "\"first_ns\":0,\"last_ns\":0,\"packets\":0,\"bytes\":0,"
		  "\"pcap_size\":24,\"file_size\":24,\"flows_truncated\":false,"
		  "\"flows\":[7]}",
		  SIDECAR_ERR_TYPE },
		{ "{\"version\":1,\"file\":\"a.pcap\",\"compression\":\"none\","
		  "\"first_ns\":0,\"last_ns\":0,\"packets\":0,\"bytes\":0,"
		  "\"pcap_size\":24,\"file_size\":24,\"flows_truncated\":false,"
		  "\"flows\":[]}",
		  SIDECAR_OK },
		{ "{\"version\":99999999999999999999}", SIDECAR_ERR_JSON },
	};
	struct sidecar out;

	for (size_t i = 0; i < COUNT(cases); i++) {
		enum sidecar_err e = sidecar_parse(cases[i].text,
						   strlen(cases[i].text), false,
						   &out, NULL, 0);

		cr_assert_eq(e, cases[i].want, "%s: got %s", cases[i].text,
			     sidecar_strerror(e));
		sidecar_finish(&out);
	}
}

Test(sidecar, more_flows_than_a_reader_accepts_are_refused)
{
	static const char head[] =
		"{\"version\":1,\"file\":\"a.pcap\",\"compression\":\"none\","
		"\"first_ns\":0,\"last_ns\":0,\"packets\":0,\"bytes\":0,"
		"\"pcap_size\":24,\"file_size\":24,\"flows_truncated\":false,"
		"\"flows\":[";
	size_t n = SIDECAR_FLOWS_MAX + 1, len = 0;
	char *text = malloc(sizeof(head) + 2 * n + 4);
	char detail[128];
	struct sidecar out;

	cr_assert_not_null(text);
	memcpy(text, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	for (size_t i = 0; i < n; i++) {
		text[len++] = '0';
		text[len++] = i + 1 < n ? ',' : ']';
	}
	text[len++] = '}';
	cr_assert_eq(sidecar_parse(text, len, false, &out, detail,
				   sizeof(detail)),
		     SIDECAR_ERR_TOO_MANY, "%s", detail);
	free(text);
}

Test(sidecar, missing_file_is_an_io_error)
{
	struct sidecar out;
	char path[128];

	snprintf(path, sizeof(path), "%s/none.idx.json", dir);
	cr_assert_eq(sidecar_read(path, false, &out, NULL, 0), SIDECAR_ERR_IO);
}

Test(sidecar, names_of_sidecars_follow_their_data_files)
{
	char out[SIDECAR_NAME_MAX];

	cr_assert(sidecar_name_for("a-w0-x.pcap", out, sizeof(out)));
	cr_assert_str_eq(out, "a-w0-x.idx.json");
	cr_assert(sidecar_name_for("a-w0-x.pcap.lz4", out, sizeof(out)));
	cr_assert_str_eq(out, "a-w0-x.idx.json");
	cr_assert(sidecar_name_for("a-w0-x.pcap.part", out, sizeof(out)));
	cr_assert_str_eq(out, "a-w0-x.idx.json");
	cr_assert_not(sidecar_name_for("a.json", out, sizeof(out)));
	cr_assert_not(sidecar_name_for(".pcap", out, sizeof(out)));
	cr_assert_not(sidecar_name_for("a.pcap", out, 8));
}

Test(sidecar, builder_keeps_the_latest_non_empty_protocol_name)
{
	struct sidecar_builder *b = sidecar_builder_create(0);
	const struct sidecar *v;
	struct flowkey k;

	key4(&k, 1, 1000, 2, 80, 6, 3);
	sidecar_builder_add(b, 30, 60, &k, NULL);
	sidecar_builder_add(b, 10, 70, &k, "HTTP");
	sidecar_builder_add(b, 20, 80, &k, "");
	v = sidecar_builder_view(b);
	cr_assert_eq(v->flow_count, 1);
	cr_assert_str_eq(v->flows[0].proto, "HTTP");
	sidecar_builder_add(b, 40, 90, &k, "HTTP.Google\x01\xff");
	cr_assert_str_eq(v->flows[0].proto, "HTTP.Google??");
	cr_assert_eq(v->flows[0].packets, 4);
	cr_assert_eq(v->flows[0].bytes, 300);
	cr_assert_eq(v->flows[0].first_ns, 10);
	cr_assert_eq(v->flows[0].last_ns, 40);
	cr_assert_eq(v->first_ns, 10);
	cr_assert_eq(v->last_ns, 40);
	sidecar_builder_destroy(b);
	sidecar_builder_destroy(NULL);
}

Test(sidecar, builder_caps_its_flows_and_says_so)
{
	struct sidecar_builder *b = sidecar_builder_create(100);
	const struct sidecar *v;
	struct flowkey k;

	for (unsigned i = 0; i < 5000; i++) {
		key4(&k, 1, (uint16_t)(i % 250), 2, 80, 17, 0);
		sidecar_builder_add(b, i, 100, &k, "DNS");
	}
	sidecar_builder_add(b, 6000, 100, NULL, NULL); /* totals only */
	v = sidecar_builder_view(b);
	cr_assert_eq(v->flow_count, 100);
	cr_assert(v->flows_truncated);
	cr_assert_eq(v->packets, 5001);
	cr_assert_eq(v->bytes, 500100);
	for (size_t i = 0; i < v->flow_count; i++) {
		cr_assert_eq(v->flows[i].packets, 20, "flow %zu", i);
	}
	sidecar_builder_reset(b);
	cr_assert_eq(v->flow_count, 0);
	cr_assert_not(v->flows_truncated);
	cr_assert_eq(v->packets, 0);
	sidecar_builder_destroy(b);
}

Test(sidecar, builder_grows_to_many_flows)
{
	struct sidecar_builder *b = sidecar_builder_create(50000);
	const struct sidecar *v;
	struct flowkey k;

	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 40000; i++) {
			key4(&k, (uint8_t)(i >> 16), (uint16_t)i, 2, 80, 6, 0);
			sidecar_builder_add(b, i, 1, &k, NULL);
		}
	}
	v = sidecar_builder_view(b);
	cr_assert_eq(v->flow_count, 40000);
	cr_assert_not(v->flows_truncated);
	for (size_t i = 0; i < v->flow_count; i++) {
		cr_assert_eq(v->flows[i].packets, 2);
	}
	sidecar_builder_destroy(b);
}
