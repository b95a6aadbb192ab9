// The Encrypted and Authenticated payload (RFC 7296 §3.14; AES-GCM per
// RFC 5282). seal_message() turns a header and the payloads to protect into
// the datagram; open_message() checks the ICV first, then decrypts and
// parses what was inside.
//
//   CBC:  IV (random, one block) | E(payloads | padding | pad length) |
//         ICV = truncated HMAC over the whole message up to the ICV
//   GCM:  IV (8 bytes, random) | E(payloads | pad length) | 16-byte tag,
//         nonce = salt (last 4 bytes of SK_e) | IV,
//         AAD = IKE header | SK payload header
//
// GCM IVs are random rather than counted: in one direction both our
// requests and our responses use the same key and message IDs repeat
// between them, so the ID is no counter; 64 random bits make a repeat
// improbable over the few messages an IKE SA ever sends.
#pragma once

#include <optional>
#include <span>

#include "ike/bytes.hpp"
#include "ike/crypto/key_derivation.hpp"
#include "ike/crypto/random.hpp"
#include "ike/suite.hpp"
#include "ike/wire/message.hpp"

namespace vpngw::ike {

// The algorithms and keys of one direction. Views into IkeKeys: keep the
// keys alive while this is used.
struct SkKeys {
  Cipher encryption = Cipher::aes128;
  std::optional<Integrity> integrity;  // ignored with AEAD
  ByteView encryption_key;             // SK_e: key, plus the 4-byte salt for GCM
  ByteView integrity_key;              // SK_a; empty with AEAD
};

// Keys for the messages we send / receive, given which side of the IKE SA
// we are (the original initiator sends with SK_ei/SK_ai).
SkKeys sending_keys(const IkeSuite& suite, const IkeKeys& keys, bool we_are_initiator);
SkKeys receiving_keys(const IkeSuite& suite, const IkeKeys& keys, bool we_are_initiator);

// The whole datagram: `header` (length and next payload computed) and one
// SK payload holding `inner`.
Bytes seal_message(const Header& header, std::span<const Payload> inner, const SkKeys& keys,
                   RandomSource& random);

// Parses `message`, verifies and decrypts its SK payload (which must be
// there, and last), and returns the message with the SK payload replaced by
// the payloads it held. Errors: anything parse_message() reports,
// unexpected_payload (no SK payload, or an SK inside an SK), bad_length
// (SK body too short or not block aligned), integrity_check_failed,
// bad_padding, and parse errors of the inner payloads.
WireResult<Message> open_message(ByteView message, const SkKeys& keys);

}  // namespace vpngw::ike
