// Our policy enums (control/policy.hpp) in each vendor's spelling. A vendor
// that cannot express a value returns nullopt; its renderer then writes a
// comment saying so instead of a wrong line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "control/model.hpp"

namespace vpngw {

// strongSwan proposal keywords, shared by ipsec.conf and swanctl.conf.
std::string_view strongswan_cipher(Cipher c);        // aes128, aes128gcm16, 3des
std::string_view strongswan_integrity(Integrity i);  // sha1, sha256
std::string_view strongswan_prf(Integrity i);        // prfsha256
std::string_view strongswan_dh(DhGroup g);           // modp1024, ecp256; "" for none
// "aes128-sha1-modp1024"; with AES-GCM the integrity slot names the PRF:
// "aes128gcm16-prfsha256-ecp256".
std::string strongswan_ike_proposal(const IkePolicy& ike);
// "aes128-sha1-modp1024"; no DH keyword without PFS, no integrity with GCM,
// "-esn" when extended sequence numbers are on.
std::string strongswan_esp_proposal(const IpsecPolicy& ipsec);

// Cisco IOS / IOS XE.
std::optional<std::string_view> cisco_isakmp_encryption(Cipher c);  // aes 256; no GCM
std::string_view cisco_isakmp_hash(Integrity i);                    // sha, sha256
std::string_view cisco_ikev2_encryption(Cipher c);                  // aes-cbc-128, aes-gcm-128
std::string_view cisco_ikev2_integrity(Integrity i);                // sha1, sha256
std::optional<int> cisco_dh_group(DhGroup g);                       // no curve25519
std::string_view cisco_esp_encryption(Cipher c);                    // esp-aes 256, esp-gcm
std::string_view cisco_esp_integrity(Integrity i);                  // esp-sha-hmac

// Juniper Junos (SRX).
std::string_view junos_encryption(Cipher c);             // aes-128-cbc, aes-256-gcm
std::string_view junos_ike_authentication(Integrity i);  // sha1, sha-256
std::string_view junos_esp_authentication(Integrity i);  // hmac-sha1-96
std::optional<std::string_view> junos_dh_group(DhGroup g);  // group2; no curve25519

// Fortinet FortiOS.
std::string fortinet_phase1_proposal(const IkePolicy& ike);     // aes128-sha1, aes128gcm-prfsha256
std::string fortinet_phase2_proposal(const IpsecPolicy& ipsec); // aes128-sha1, aes256gcm
std::optional<int> fortinet_dh_group(DhGroup g);                // no group 24

// H3C Comware 7.
std::optional<std::string_view> h3c_ike_encryption(Cipher c);  // aes-cbc-128; no GCM (IKEv1)
std::string_view h3c_ike_authentication(Integrity i);          // sha, sha256 (IKEv1)
std::string_view h3c_cipher(Cipher c);                         // aes-cbc-128, aes-gcm-256
std::string_view h3c_integrity(Integrity i);                   // sha1, sha256 (IKEv2, ESP)
std::optional<int> h3c_dh_group(DhGroup g);                    // no groups 21, 31

// Huawei VRP (AR routers, V200R008 and later).
std::optional<std::string_view> huawei_cipher(Cipher c);     // aes-128; no GCM
std::string_view huawei_authentication(Integrity i);         // sha1, sha2-256 (IKE, ESP)
std::string_view huawei_ikev2_integrity(Integrity i);        // hmac-sha1-96, hmac-sha2-256
std::string_view huawei_prf(Integrity i);                    // hmac-sha1, hmac-sha2-256
std::optional<int> huawei_dh_group(DhGroup g);               // no groups 24, 31

}  // namespace vpngw
