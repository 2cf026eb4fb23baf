#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the tiny MaxMind-format databases the geoip and flowlog unit tests
# read, in the schemas of the free databases vtap supports. Every address
# and AS below is made up for the tests. Needs libmaxmind-db-writer-perl.
#
# usage: make-test-mmdb.pl OUTDIR
#   OUTDIR/full.mmdb     IPv6 tree, GeoLite2-City + ASN fields in one record
#   OUTDIR/country.mmdb  IPv4-only tree, ip-location-db "country_code"
#   OUTDIR/asn.mmdb      IPv6 tree, GeoLite2-ASN fields only
#   OUTDIR/ipinfo.mmdb   IPv6 tree, IPinfo Lite fields ("asn": "AS13335")
use strict;
use warnings;

BEGIN {
	eval { require MaxMind::DB::Writer::Tree; 1 }
	    or die "$0: needs MaxMind::DB::Writer::Tree "
	    . "(Debian: apt-get install libmaxmind-db-writer-perl)\n";
}

my $outdir = shift @ARGV or die "usage: $0 OUTDIR\n";

my %types = (
	country                        => 'map',
	registered_country             => 'map',
	iso_code                       => 'utf8_string',
	country_code                   => 'utf8_string',
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
	asn                            => 'utf8_string',
	as_name                        => 'utf8_string',
);

sub write_db {
	my ($name, $ip_version, $networks, $type_of) = @_;
	my $tree = MaxMind::DB::Writer::Tree->new(
		ip_version               => $ip_version,
		record_size              => 24,
		database_type            => "vtap-Test-$name",
		languages                => ['en'],
		description              => { en => "vtap unit test database ($name)" },
		map_key_type_callback    => $type_of // sub { $types{ $_[0] } },
		# the tests need private ranges in the file to prove they are skipped
		remove_reserved_networks => 0,
		alias_ipv6_to_ipv4       => ($ip_version == 6 ? 1 : 0),
	);
	for my $n (@$networks) {
		$tree->insert_network($n->[0], $n->[1]);
	}
	my $path = "$outdir/$name.mmdb";
	open my $fh, '>:raw', "$path.tmp" or die "$path.tmp: $!\n";
	$tree->write_tree($fh);
	close $fh or die "$path.tmp: $!\n";
	rename "$path.tmp", $path or die "$path: $!\n";
}

sub city {
	my ($cc, $asn, $org) = @_;
	my %r = (country => { iso_code => $cc });
	$r{autonomous_system_number} = $asn if defined $asn;
	$r{autonomous_system_organization} = $org if defined $org;
	return \%r;
}

# public ranges with data
my @full = (
	['1.1.1.0/24',      city('AU', 13335, 'Cloudflare, Inc.')],
	['81.2.69.0/24',    city('GB', 20712, 'Andrews & Arnold Ltd')],
	['2606:4700::/32',  city('US', 13335, 'Cloudflare, Inc.')],
	['2a02:cf40::/32',  city('DE')],                      # country, no AS
	['185.0.0.0/16',    { autonomous_system_number => 64500 }], # AS, no country
	# non-public ranges with data that a lookup must never return
	['10.0.0.0/8',      city('ZZ', 64496, 'private')],
	['100.64.0.0/10',   city('ZZ', 64496, 'cgnat')],
	['127.0.0.0/8',     city('ZZ', 64496, 'loopback')],
	['169.254.0.0/16',  city('ZZ', 64496, 'link-local')],
	['192.168.0.0/16',  city('ZZ', 64496, 'private')],
	['203.0.113.0/24',  city('ZZ', 64496, 'documentation')],
	['224.0.0.0/4',     city('ZZ', 64496, 'multicast')],
	['2001:db8::/32',   city('ZZ', 64496, 'documentation')],
	['fd00::/8',        city('ZZ', 64496, 'ula')],
	['fe80::/10',       city('ZZ', 64496, 'link-local')],
	['ff00::/8',        city('ZZ', 64496, 'multicast')],
);
write_db('full', 6, \@full);

write_db('country', 4, [
	['1.1.1.0/24',   { country_code => 'AU' }],
	['81.2.69.0/24', { country_code => 'GB' }],
]);

write_db('asn', 6, [
	['1.1.1.0/24',     { autonomous_system_number => 13335,
			     autonomous_system_organization => 'Cloudflare, Inc.' }],
	['2606:4700::/32', { autonomous_system_number => 13335,
			     autonomous_system_organization => 'Cloudflare, Inc.' }],
]);

write_db('ipinfo', 6, [
	['1.1.1.0/24', { country_code => 'AU', asn => 'AS13335',
			 as_name => 'Cloudflare, Inc.' }],
]);
