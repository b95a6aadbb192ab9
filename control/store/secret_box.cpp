#include "control/store/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "control/store/store_error.hpp"

namespace vpngw {

static_assert(SealingKey::kSize == crypto_secretbox_KEYBYTES);

namespace {

constexpr int kBase64 = sodium_base64_VARIANT_ORIGINAL;

std::string errno_text() { return std::strerror(errno); }

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred write may only surface here.
  bool close() { return ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_;
};

// The key buffer until it is handed to a SealingKey; frees (and so wipes) it
// if we fail on the way.
struct KeyBuffer {
  // sodium_malloc surrounds the bytes with guard pages and mlock()s them
  // (best effort: RLIMIT_MEMLOCK may refuse, and the key still works).
  unsigned char* bytes = static_cast<unsigned char*>(sodium_malloc(SealingKey::kSize));
  KeyBuffer() = default;
  KeyBuffer(const KeyBuffer&) = delete;
  KeyBuffer& operator=(const KeyBuffer&) = delete;
  ~KeyBuffer() { sodium_free(bytes); }
  unsigned char* release() {
    // Nothing writes to the key once it is loaded: make an accidental write fault.
    sodium_mprotect_readonly(bytes);
    return std::exchange(bytes, nullptr);
  }
};

Status init_sodium() {
  if (sodium_init() < 0) return store_error("libsodium failed to initialise");
  return std::nullopt;
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Status write_all(int fd, const unsigned char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return store_error(errno_text());
    data += n;
    size -= static_cast<size_t>(n);
  }
  return std::nullopt;
}

// A new directory entry is durable only once its directory is synced.
Status sync_parent_directory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0)
    return store_error("cannot sync directory " + dir + ": " + errno_text());
  return std::nullopt;
}

}  // namespace

Result<SealingKey> SealingKey::load(const std::string& path) {
  if (auto err = init_sodium()) return *err;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return store_error("cannot open the PSK sealing key " + path + ": " + errno_text());

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return store_error("cannot stat the PSK sealing key " + path + ": " + errno_text());
  if (!S_ISREG(st.st_mode))
    return store_error("the PSK sealing key " + path +
                       " is not a regular file; refusing to use it");
  if ((st.st_mode & 07777 & ~mode_t{0600}) != 0)
    return store_error("the PSK sealing key " + path + " has permissions " +
                       octal_mode(st.st_mode) +
                       ", wider than 0600; refusing to use it (chmod 600 it if it is the "
                       "right key)");
  if (st.st_size != static_cast<off_t>(kSize))
    return store_error("the PSK sealing key " + path + " is " + std::to_string(st.st_size) +
                       " bytes, not " + std::to_string(kSize) + "; refusing to use it");

  KeyBuffer key;
  if (key.bytes == nullptr) return store_error("cannot allocate secure memory for the PSK key");
  size_t got = 0;
  while (got < kSize) {
    ssize_t n = ::read(fd.get(), key.bytes + got, kSize - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return store_error("cannot read the PSK sealing key " + path + ": " + errno_text());
    if (n == 0) return store_error("the PSK sealing key " + path + " shrank while being read");
    got += static_cast<size_t>(n);
  }
  return SealingKey(key.release());
}

Result<SealingKey> SealingKey::create(const std::string& path) {
  if (auto err = init_sodium()) return *err;
  KeyBuffer key;
  if (key.bytes == nullptr) return store_error("cannot allocate secure memory for the PSK key");
  randombytes_buf(key.bytes, kSize);

  // Written under a temporary name and then linked into place, so a crash
  // never leaves a half-written psk.key behind; link() (unlike rename())
  // fails rather than replace a key that appeared meanwhile.
  const std::string temp = path + ".tmp";
  if (::unlink(temp.c_str()) != 0 && errno != ENOENT)
    return store_error("cannot remove the stale " + temp + ": " + errno_text());
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return store_error("cannot create " + temp + ": " + errno_text());
    // open() applies the umask, which may only narrow 0600; fchmod makes it
    // exactly 0600 whatever the umask was.
    if (::fchmod(fd.get(), 0600) != 0)
      return store_error("cannot set the mode of " + temp + ": " + errno_text());
    if (auto err = write_all(fd.get(), key.bytes, kSize))
      return store_error("cannot write " + temp, *err);
    if (::fsync(fd.get()) != 0 || !fd.close())
      return store_error("cannot sync " + temp + ": " + errno_text());
  }
  if (::link(temp.c_str(), path.c_str()) != 0) {
    std::string why = errno == EEXIST ? "it already exists" : errno_text();
    ::unlink(temp.c_str());
    return store_error("cannot install the new PSK sealing key " + path + ": " + why);
  }
  ::unlink(temp.c_str());
  if (auto err = sync_parent_directory(path)) return *err;
  return SealingKey(key.release());
}

SealingKey::SealingKey(SealingKey&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}

SealingKey& SealingKey::operator=(SealingKey&& other) noexcept {
  if (this != &other) {
    sodium_free(key_);
    key_ = std::exchange(other.key_, nullptr);
  }
  return *this;
}

// sodium_free wipes the key before releasing its pages.
SealingKey::~SealingKey() { sodium_free(key_); }

std::string SealingKey::seal(std::string_view plaintext) const {
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  unsigned char* nonce = box.data();
  // Random 192-bit nonces: collisions under one key are negligible however
  // many PSKs are sealed, and no counter has to survive restarts.
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_);

  std::string text(sodium_base64_encoded_len(box.size(), kBase64), '\0');
  sodium_bin2base64(text.data(), text.size(), box.data(), box.size(), kBase64);
  text.resize(std::strlen(text.c_str()));
  return text;
}

Result<std::string> SealingKey::open(std::string_view sealed) const {
  if (sealed.empty()) return store_error("sealed PSK is empty");
  std::vector<unsigned char> box(sealed.size());
  size_t box_size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(box.data(), box.size(), sealed.data(), sealed.size(), nullptr, &box_size,
                        &end, kBase64) != 0 ||
      end != sealed.data() + sealed.size())
    return store_error("sealed PSK is not valid base64");
  if (box_size < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return store_error("sealed PSK is too short to be sealed data");

  const unsigned char* nonce = box.data();
  const unsigned char* cipher = box.data() + crypto_secretbox_NONCEBYTES;
  const size_t cipher_size = box_size - crypto_secretbox_NONCEBYTES;
  std::string plaintext(cipher_size - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()), cipher,
                                 cipher_size, nonce, key_) != 0)
    return store_error(
        "sealed PSK cannot be opened with this psk.key (a different key, or altered data)");
  return plaintext;
}

}  // namespace vpngw
