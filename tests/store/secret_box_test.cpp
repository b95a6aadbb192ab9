// Sealing PSKs: what one key seals only that key opens, intact.
#include "control/store/secret_box.hpp"

#include "tests/store/store_test_support.hpp"

namespace vpngw::test {
namespace {

SealingKey new_key(const TempDir& dir, const std::string& name) {
  auto key = SealingKey::create(dir.file(name));
  if (!key.ok()) throw std::runtime_error(key.error().message);
  return std::move(*key);
}

TEST(SealingKey, OpensWhatItSealed) {
  TempDir dir;
  SealingKey key = new_key(dir, "k");
  for (const std::string& psk :
       {std::string("x"), std::string("s3cret-PSK/with+symbols!"), std::string(128, 'p')}) {
    auto opened = key.open(key.seal(psk));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, psk);
  }
}

TEST(SealingKey, SealsTheSameTextDifferentlyEachTime) {
  TempDir dir;
  SealingKey key = new_key(dir, "k");
  EXPECT_NE(key.seal("same-psk"), key.seal("same-psk"));
}

TEST(SealingKey, ALoadedKeyOpensWhatTheCreatedOneSealed) {
  TempDir dir;
  std::string sealed = new_key(dir, "k").seal("persisted");
  auto loaded = SealingKey::load(dir.file("k"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto opened = loaded->open(sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "persisted");
}

TEST(SealingKey, AnotherKeyCannotOpen) {
  TempDir dir;
  std::string sealed = new_key(dir, "a").seal("secret");
  EXPECT_FALSE(new_key(dir, "b").open(sealed).ok());
}

TEST(SealingKey, AlteredOrMalformedTextIsRejected) {
  TempDir dir;
  SealingKey key = new_key(dir, "k");
  std::string sealed = key.seal("secret");
  std::string altered = sealed;
  altered[30] = altered[30] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(key.open(altered).ok());
  EXPECT_FALSE(key.open("not base64 at all!").ok());
  EXPECT_FALSE(key.open("QUJD").ok());  // valid base64, far too short
  EXPECT_FALSE(key.open("").ok());
}

TEST(SealingKey, CreateNeverReplacesAnExistingKey) {
  TempDir dir;
  new_key(dir, "k");
  const std::string before = read_bytes(dir.file("k"));
  auto again = SealingKey::create(dir.file("k"));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos)
      << again.error().message;
  EXPECT_EQ(read_bytes(dir.file("k")), before);
}

}  // namespace
}  // namespace vpngw::test
