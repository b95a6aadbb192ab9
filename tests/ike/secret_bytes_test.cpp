// SecretBytes and randomness.
#include <gtest/gtest.h>

#include <set>

#include "ike/crypto/random.hpp"
#include "ike/crypto/secret_bytes.hpp"

namespace vpngw::ike::test {
namespace {

TEST(SecretBytes, HoldsCopiesSlicesAndMovesBytes) {
  Bytes source = {1, 2, 3, 4, 5, 6};
  SecretBytes s(source);
  EXPECT_EQ(Bytes(s.view().begin(), s.view().end()), source);
  SecretBytes part = s.slice(2, 3);
  EXPECT_EQ(Bytes(part.view().begin(), part.view().end()), (Bytes{3, 4, 5}));
  EXPECT_THROW(s.slice(4, 3), std::out_of_range);
  SecretBytes copy = s.clone();
  EXPECT_NE(copy.data(), s.data());
  EXPECT_TRUE(copy.equals(source));
  SecretBytes moved = std::move(copy);
  EXPECT_TRUE(moved.equals(source));
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  moved = SecretBytes(Bytes{9});
  EXPECT_TRUE(moved.equals(Bytes{9}));
}

TEST(SecretBytes, ZeroFilledAndEmpty) {
  SecretBytes z(8);
  EXPECT_TRUE(z.equals(Bytes(8, 0)));
  SecretBytes e;
  EXPECT_TRUE(e.empty());
  EXPECT_TRUE(e.equals({}));
  EXPECT_EQ(SecretBytes(0).data(), nullptr);
}

TEST(SecretBytes, ConstantTimeEqualityNeedsSameSizeAndBytes) {
  EXPECT_TRUE(constant_time_equal(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
  EXPECT_FALSE(constant_time_equal(Bytes{1, 2, 3}, Bytes{1, 2, 4}));
  EXPECT_FALSE(constant_time_equal(Bytes{1, 2, 3}, Bytes{1, 2}));
}

TEST(Random, SpisAndNoncesAreFreshAndInRange) {
  SodiumRandom random;
  std::set<uint64_t> ike_spis;
  for (int i = 0; i < 1000; ++i) {
    uint64_t spi = random_ike_spi(random);
    EXPECT_NE(spi, 0u);
    ike_spis.insert(spi);
    EXPECT_GE(random_esp_spi(random), 256u);
  }
  EXPECT_EQ(ike_spis.size(), 1000u);
  Bytes a = random_nonce(random), b = random_nonce(random);
  EXPECT_EQ(a.size(), kNonceSize);
  EXPECT_NE(a, b);
}

// A source that hands out zeros first: the SPI helpers must skip values the
// RFCs reserve instead of returning them.
class ScriptedRandom final : public RandomSource {
 public:
  void fill(std::span<uint8_t> out) override {
    for (uint8_t& b : out) b = calls_ == 0 ? 0 : static_cast<uint8_t>(calls_);
    ++calls_;
  }

 private:
  int calls_ = 0;
};

TEST(Random, ReservedSpiValuesAreSkipped) {
  ScriptedRandom ike;
  EXPECT_EQ(random_ike_spi(ike), 0x0101010101010101ull);
  ScriptedRandom esp;
  EXPECT_EQ(random_esp_spi(esp), 0x01010101u);
}

}  // namespace
}  // namespace vpngw::ike::test
