#include "control/peer_config/config_text.hpp"

#include <gtest/gtest.h>

namespace vpngw {
namespace {

Cidr cidr(const char* text) { return Cidr::parse(text).value(); }

TEST(ConfigText, Masks) {
  EXPECT_EQ(netmask(cidr("198.18.0.0/20")), "255.255.240.0");
  EXPECT_EQ(wildcard_mask(cidr("198.18.0.0/20")), "0.0.15.255");
  EXPECT_EQ(netmask(cidr("0.0.0.0/0")), "0.0.0.0");
  EXPECT_EQ(wildcard_mask(cidr("0.0.0.0/0")), "255.255.255.255");
  EXPECT_EQ(netmask(cidr("192.0.2.7/32")), "255.255.255.255");
  EXPECT_EQ(wildcard_mask(cidr("192.0.2.7/32")), "0.0.0.0");
  EXPECT_EQ(wildcard_mask(cidr("192.0.2.128/26")), "0.0.0.63");
}

TEST(ConfigText, JoinCidrs) {
  EXPECT_EQ(join_cidrs({cidr("192.0.2.0/25"), cidr("198.19.1.0/24")}, ","),
            "192.0.2.0/25,198.19.1.0/24");
  EXPECT_EQ(join_cidrs({}, ","), "");
}

TEST(ConfigText, Base64Rfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("\xff\xfe"), "//4=");
}

TEST(ConfigText, BackslashQuoted) {
  EXPECT_EQ(backslash_quoted("plain"), "\"plain\"");
  EXPECT_EQ(backslash_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(ConfigText, StrongswanSecretQuotesPlainKeysAndEncodesTheRest) {
  EXPECT_EQ(strongswan_secret("s3cretKey-01"), "\"s3cretKey-01\"");
  EXPECT_EQ(strongswan_secret("a.b_c@d%e!f"), "\"a.b_c@d%e!f\"");
  EXPECT_EQ(strongswan_secret("has\"quote"), "0s" + base64("has\"quote"));
  EXPECT_EQ(strongswan_secret("back\\slash"), "0s" + base64("back\\slash"));
  EXPECT_EQ(strongswan_secret("hash#tag"), "0s" + base64("hash#tag"));
  EXPECT_EQ(strongswan_secret("dollar$var"), "0s" + base64("dollar$var"));
  // swanctl would decode these prefixes even inside quotes.
  EXPECT_EQ(strongswan_secret("0x1234"), "0s" + base64("0x1234"));
  EXPECT_EQ(strongswan_secret("0SABCD"), "0s" + base64("0SABCD"));
  EXPECT_EQ(strongswan_secret("0"), "\"0\"");
}

}  // namespace
}  // namespace vpngw
