// Single-value rules: customer gateway addresses, PSKs, names, identities.
#include <gtest/gtest.h>

#include "control/field_rules.hpp"

namespace vpngw {
namespace {

Ipv4Addr ip(const char* s) { return *Ipv4Addr::parse(s); }

TEST(CustomerGatewayIp, AcceptsAnyAndOrdinaryUnicast) {
  for (const char* ok : {"0.0.0.0", "202.108.22.5", "198.51.100.7", "1.0.0.1", "126.255.255.254",
                         "128.1.0.1", "191.255.254.255", "192.0.2.1", "223.255.254.254", "10.1.2.3"})
    EXPECT_FALSE(check_customer_gateway_ip(ip(ok))) << ok;
}

TEST(CustomerGatewayIp, RejectsEveryReservedRangeOfProductMd) {
  struct Case {
    const char* addr;
    const char* says;
  };
  const Case cases[] = {
      {"0.1.2.3", "0.0.0.0/8"},         {"0.0.0.1", "0.0.0.0/8"},
      {"224.0.0.1", "multicast"},       {"239.255.255.255", "multicast"},
      {"240.0.0.1", "reserved"},        {"255.255.255.255", "broadcast"},
      {"127.0.0.1", "loopback"},        {"127.200.1.1", "loopback"},
      {"169.254.10.1", "link-local"},   {"10.0.0.0", "class A"},
      {"10.255.255.255", "class A"},    {"126.0.0.0", "class A"},
      {"172.16.0.0", "class B"},        {"191.9.255.255", "class B"},
      {"192.168.1.0", "class C"},       {"223.1.2.255", "class C"},
  };
  for (const auto& c : cases) {
    auto rule = check_customer_gateway_ip(ip(c.addr));
    ASSERT_TRUE(rule) << c.addr;
    EXPECT_NE(rule->find(c.says), std::string::npos) << c.addr << ": " << *rule;
  }
}

TEST(GatewayPublicIp, RejectsUnspecifiedButFollowsTheSameRules) {
  EXPECT_TRUE(check_gateway_public_ip(ip("0.0.0.0")));
  EXPECT_TRUE(check_gateway_public_ip(ip("127.0.0.1")));
  EXPECT_FALSE(check_gateway_public_ip(ip("198.51.100.1")));
}

TEST(Psk, LengthAndCharacterRules) {
  EXPECT_FALSE(check_psk("123456"));
  EXPECT_FALSE(check_psk(std::string(128, 'k')));
  EXPECT_FALSE(check_psk("!#$%&'()*+,-./:;<=>@[]^_`{|}~"));
  EXPECT_TRUE(check_psk(""));
  EXPECT_TRUE(check_psk(std::string(129, 'k')));
  EXPECT_TRUE(check_psk("has space"));
  EXPECT_TRUE(check_psk("what?"));
  EXPECT_TRUE(check_psk("tab\there"));
  EXPECT_TRUE(check_psk("caf\xc3\xa9"));  // non-ASCII
}

TEST(Name, CharactersLengthAndIdLookalikes) {
  EXPECT_FALSE(check_name("TomVPNGw"));
  EXPECT_FALSE(check_name("gw_1.prod-a"));
  EXPECT_TRUE(check_name(""));
  EXPECT_TRUE(check_name(std::string(61, 'a')));
  EXPECT_TRUE(check_name("has space"));
  EXPECT_TRUE(check_name("vpngw-1a2b3c4d"));
  EXPECT_FALSE(check_name("vpngw-1a2b3c4"));  // 7 digits: not an ID
  EXPECT_TRUE(looks_like_id("cgw-deadbeef"));
  EXPECT_FALSE(looks_like_id("xyz-deadbeef"));
}

TEST(Identity, IpOrFqdn) {
  EXPECT_FALSE(check_identity("198.51.100.1"));
  EXPECT_FALSE(check_identity("vpn.example.com"));
  EXPECT_FALSE(check_identity("idc-gw1.example.net."));
  EXPECT_TRUE(check_identity("not an id"));
  EXPECT_TRUE(check_identity("1.2.3"));
  EXPECT_TRUE(check_identity("-bad.example.com"));
  EXPECT_TRUE(check_identity(""));
}

TEST(Cidr, ParseContainOverlap) {
  EXPECT_FALSE(Cidr::parse("10.0.0.1/24"));  // host bits
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0"));
  EXPECT_FALSE(Cidr::parse("010.0.0.0/8"));
  auto a = *Cidr::parse("10.0.0.0/16");
  auto b = *Cidr::parse("10.0.5.0/24");
  auto c = *Cidr::parse("10.1.0.0/16");
  EXPECT_TRUE(a.contains(b));
  EXPECT_FALSE(b.contains(a));
  EXPECT_TRUE(a.overlaps(b) && b.overlaps(a));
  EXPECT_FALSE(a.overlaps(c));
  EXPECT_EQ(Cidr::parse("0.0.0.0/0")->str(), "0.0.0.0/0");
}

}  // namespace
}  // namespace vpngw
