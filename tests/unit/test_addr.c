/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address handling: splitting "host:port" strings, resolving literals (and
 * failing on a name that cannot exist), printing socket addresses, and
 * CIDR prefixes with their membership test.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "shared/addr.h"

static void
assert_split(const char *s, uint16_t def, const char *want_host,
	     uint16_t want_port)
{
	char host[256];
	uint16_t port = 0;

	cr_assert(addr_split(s, def, host, sizeof(host), &port),
		  "'%s' refused", s);
	cr_assert_str_eq(host, want_host, "'%s'", s);
	cr_assert_eq(port, want_port, "'%s' gave port %u", s, port);
}

static void
refuse_split(const char *s, uint16_t def)
{
	char host[256] = "untouched";
	uint16_t port = 1234;

	cr_assert_not(addr_split(s, def, host, sizeof(host), &port),
		      "'%s' accepted", s);
	cr_assert_eq(port, 1234, "'%s' wrote a port", s);
}

static struct addr_cidr
cidr(const char *s)
{
	struct addr_cidr c;

	cr_assert(addr_parse_cidr(s, &c), "'%s' refused", s);
	return c;
}

static bool
contains4(const struct addr_cidr *c, const char *ip)
{
	uint8_t a[4];

	cr_assert_eq(inet_pton(AF_INET, ip, a), 1, "bad test address %s", ip);
	return addr_cidr_contains(c, 4, a);
}

static bool
contains6(const struct addr_cidr *c, const char *ip)
{
	uint8_t a[16];

	cr_assert_eq(inet_pton(AF_INET6, ip, a), 1, "bad test address %s", ip);
	return addr_cidr_contains(c, 6, a);
}

Test(addr, split_ipv4_and_port)
{
	assert_split("1.2.3.4:80", 0, "1.2.3.4", 80);
}

Test(addr, split_bracketed_ipv6_and_port)
{
	assert_split("[::1]:4789", 0, "::1", 4789);
	assert_split("[fe80::1%eth0]:65535", 0, "fe80::1%eth0", 65535);
}

Test(addr, split_name_and_port)
{
	assert_split("host:1", 0, "host", 1);
	assert_split("collector.example.org:4789", 9, "collector.example.org",
		     4789);
}

Test(addr, split_bare_host_takes_the_default_port)
{
	assert_split("host", 4789, "host", 4789);
	assert_split("10.0.0.1", 4789, "10.0.0.1", 4789);
	assert_split("[::1]", 4789, "::1", 4789);
}

Test(addr, split_bare_host_without_default_port_is_refused)
{
	refuse_split("host", 0);
	refuse_split("10.0.0.1", 0);
	refuse_split("[::1]", 0);
}

Test(addr, split_bare_ipv6_takes_the_default_port)
{
	assert_split("fe80::1", 4789, "fe80::1", 4789);
	assert_split("::", 53, "::", 53);
	refuse_split("fe80::1", 0);
}

Test(addr, split_refuses_port_0_and_65536)
{
	refuse_split("host:0", 4789);
	refuse_split("host:65536", 4789);
	refuse_split("[::1]:0", 4789);
	refuse_split("[::1]:65536", 4789);
}

Test(addr, split_refuses_malformed_ports)
{
	refuse_split("host:", 4789);
	refuse_split("host:-1", 4789);
	refuse_split("host:80x", 4789);
	refuse_split("host: 80", 4789);
	refuse_split("[::1]:", 4789);
}

Test(addr, split_refuses_malformed_brackets)
{
	refuse_split("[::1", 4789);
	refuse_split("[::1]x", 4789);
	refuse_split("[::1]4789", 4789);
	refuse_split("[]:4789", 4789);
}

Test(addr, split_refuses_an_empty_host)
{
	refuse_split("", 4789);
	refuse_split(":80", 4789);
}

Test(addr, split_refuses_a_host_longer_than_the_buffer)
{
	char host[8];
	uint16_t port = 0;

	cr_assert_not(addr_split("12345678:80", 0, host, sizeof(host), &port));
	cr_assert(addr_split("1234567:80", 0, host, sizeof(host), &port));
	cr_assert_str_eq(host, "1234567");
}

Test(addr, resolve_ipv4_literal)
{
	struct sockaddr_storage ss;
	const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
	socklen_t len = 0;
	char err[256] = "";

	cr_assert_eq(addr_resolve("127.0.0.1", 4789, &ss, &len, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(ss.ss_family, AF_INET);
	cr_assert_eq(len, sizeof(struct sockaddr_in));
	cr_assert_eq(ntohs(in->sin_port), 4789);
	cr_assert_eq(ntohl(in->sin_addr.s_addr), 0x7f000001u);
}

Test(addr, resolve_ipv6_literal)
{
	struct sockaddr_storage ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
	socklen_t len = 0;
	char err[256] = "";

	cr_assert_eq(addr_resolve("::1", 53, &ss, &len, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(ss.ss_family, AF_INET6);
	cr_assert_eq(len, sizeof(struct sockaddr_in6));
	cr_assert_eq(ntohs(in6->sin6_port), 53);
	cr_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
}

Test(addr, resolve_of_an_invalid_name_fails_naming_it, .timeout = 30)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char err[256] = "";

	cr_assert_eq(addr_resolve("no-such-host.invalid", 4789, &ss, &len, err,
				  sizeof(err)),
		     -1);
	cr_assert_not_null(strstr(err, "'no-such-host.invalid'"), "err: %s",
			   err);
	cr_assert_not_null(strstr(err, "cannot resolve"), "err: %s", err);
}

Test(addr, format_ipv4_with_and_without_port)
{
	struct sockaddr_in in;
	char buf[ADDR_STRLEN];

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(4789);
	in.sin_addr.s_addr = htonl(0x01020304);
	cr_assert_str_eq(addr_format((struct sockaddr *)&in, true, buf,
				     sizeof(buf)),
			 "1.2.3.4:4789");
	cr_assert_str_eq(addr_format((struct sockaddr *)&in, false, buf,
				     sizeof(buf)),
			 "1.2.3.4");
}

Test(addr, format_ipv6_with_and_without_port)
{
	struct sockaddr_in6 in6;
	char buf[ADDR_STRLEN];

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(65535);
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr), 1);
	cr_assert_str_eq(addr_format((struct sockaddr *)&in6, true, buf,
				     sizeof(buf)),
			 "[2001:db8::1]:65535");
	cr_assert_str_eq(addr_format((struct sockaddr *)&in6, false, buf,
				     sizeof(buf)),
			 "2001:db8::1");
}

Test(addr, format_returns_the_callers_buffer)
{
	struct sockaddr_in in;
	char buf[ADDR_STRLEN];

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	cr_assert_eq(addr_format((struct sockaddr *)&in, true, buf,
				 sizeof(buf)),
		     buf);
}

Test(addr, format_does_not_overrun_a_small_buffer)
{
	struct sockaddr_in in;
	char buf[16];

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(65535);
	in.sin_addr.s_addr = htonl(0xffffffff);
	memset(buf, 'x', sizeof(buf));
	addr_format((struct sockaddr *)&in, true, buf, 8);
	cr_assert_eq(strlen(buf), 7);
	cr_assert_eq(buf[8], 'x');
}

Test(addr, cidr_parses_ipv4_prefix)
{
	struct addr_cidr c = cidr("10.0.0.0/8");
	static const uint8_t want[4] = { 10, 0, 0, 0 };

	cr_assert_eq(c.family, 4);
	cr_assert_eq(c.prefix, 8);
	cr_assert_arr_eq(c.addr, want, 4);
}

Test(addr, cidr_parses_ipv6_prefix)
{
	struct addr_cidr c = cidr("2001:db8::/32");
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	cr_assert_eq(c.family, 6);
	cr_assert_eq(c.prefix, 32);
	cr_assert_arr_eq(c.addr, want, 16);
}

Test(addr, cidr_bare_address_is_a_host_prefix)
{
	struct addr_cidr c4 = cidr("192.0.2.7");
	struct addr_cidr c6 = cidr("2001:db8::7");

	cr_assert_eq(c4.family, 4);
	cr_assert_eq(c4.prefix, 32);
	cr_assert(contains4(&c4, "192.0.2.7"));
	cr_assert_not(contains4(&c4, "192.0.2.6"));
	cr_assert_eq(c6.family, 6);
	cr_assert_eq(c6.prefix, 128);
	cr_assert(contains6(&c6, "2001:db8::7"));
	cr_assert_not(contains6(&c6, "2001:db8::6"));
}

Test(addr, cidr_clears_host_bits)
{
	struct addr_cidr c4 = cidr("10.1.2.3/12");
	struct addr_cidr c6 = cidr("2001:db8:ffff:ffff::1/33");
	static const uint8_t want4[4] = { 10, 0, 0, 0 };
	static const uint8_t want6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x80 };

	cr_assert_arr_eq(c4.addr, want4, 4);
	cr_assert_arr_eq(c6.addr, want6, 16);
}

Test(addr, cidr_slash_zero_contains_its_whole_family)
{
	struct addr_cidr c4 = cidr("1.2.3.4/0");
	struct addr_cidr c6 = cidr("::/0");
	static const uint8_t zero[16] = { 0 };

	cr_assert_eq(c4.prefix, 0);
	cr_assert_arr_eq(c4.addr, zero, 16);
	cr_assert(contains4(&c4, "0.0.0.0"));
	cr_assert(contains4(&c4, "255.255.255.255"));
	cr_assert(contains6(&c6, "ffff::1"));
	cr_assert_not(contains6(&c4, "::1"));
	cr_assert_not(contains4(&c6, "1.2.3.4"));
}

Test(addr, cidr_refuses_bad_prefixes)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1",
		"10.0.0.0/8x", "10.0.0.0/ 8", "10.0.0.0/8/8", "/8", "",
		"10.0.0/8", "10.0.0.256/8", "host/8", "[::1]/64",
	};
	struct addr_cidr c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_not(addr_parse_cidr(bad[i], &c), "'%s' accepted",
			      bad[i]);
	}
}

Test(addr, cidr_contains_checks_partial_bytes)
{
	struct addr_cidr c = cidr("192.168.16.0/20");

	cr_assert(contains4(&c, "192.168.16.0"));
	cr_assert(contains4(&c, "192.168.31.255"));
	cr_assert_not(contains4(&c, "192.168.15.255"));
	cr_assert_not(contains4(&c, "192.168.32.0"));
	cr_assert_not(contains4(&c, "193.168.16.1"));
}

Test(addr, cidr_contains_ipv6)
{
	struct addr_cidr c = cidr("2001:db8::/33");

	cr_assert(contains6(&c, "2001:db8::1"));
	cr_assert(contains6(&c, "2001:db8:7fff:ffff::1"));
	cr_assert_not(contains6(&c, "2001:db8:8000::"));
	cr_assert_not(contains6(&c, "2001:db9::"));
}

Test(addr, cidr_contains_refuses_the_other_family)
{
	struct addr_cidr c = cidr("0.0.0.0/0");
	uint8_t zero[16] = { 0 };

	cr_assert(addr_cidr_contains(&c, 4, zero));
	cr_assert_not(addr_cidr_contains(&c, 6, zero));
}
