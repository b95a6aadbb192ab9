// The key that seals tunnel PSKs at rest, and the sealing itself. The key
// lives in its own file (psk.key, mode 0600) next to the database, so a copy
// of the database alone does not reveal any PSK. In memory it is kept in
// sodium_malloc'd pages: guarded, locked out of swap where the system allows,
// read-only while held, and wiped when freed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "control/api_error.hpp"

namespace vpngw {

class SealingKey {
 public:
  static constexpr size_t kSize = 32;  // crypto_secretbox_KEYBYTES

  // Reads an existing key file. Refuses anything but a regular file of
  // exactly kSize bytes whose permissions are no wider than 0600.
  static Result<SealingKey> load(const std::string& path);
  // Makes a new random key and writes it durably to `path` with mode 0600.
  // Fails if `path` already exists: an existing key is never replaced.
  static Result<SealingKey> create(const std::string& path);

  SealingKey(SealingKey&& other) noexcept;
  SealingKey& operator=(SealingKey&& other) noexcept;
  SealingKey(const SealingKey&) = delete;
  SealingKey& operator=(const SealingKey&) = delete;
  ~SealingKey();

  // base64(nonce || crypto_secretbox_easy(plaintext)), with a fresh random nonce.
  std::string seal(std::string_view plaintext) const;
  // The inverse. Fails on text that is not base64, too short, or was sealed
  // under another key (or altered).
  Result<std::string> open(std::string_view sealed) const;

 private:
  // Takes ownership of a sodium_malloc'd buffer of kSize bytes.
  explicit SealingKey(unsigned char* key) : key_(key) {}

  unsigned char* key_ = nullptr;
};

}  // namespace vpngw
