// One TLS side of a scanned connection (the client's, where the worker is
// the server, or the site's, where it is the client) on memory BIOs: the
// event loop moves ciphertext between the socket and the BIOs without
// blocking, OpenSSL never touches the socket, and no thread waits on a
// handshake.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "loop_task.hpp"
#include "mitm_ossl.hpp"

namespace vigil::web_threat {

class TlsEnd {
public:
    enum class Io : unsigned char { ok, error };
    enum class Step : unsigned char { done, again, failed };  // a handshake or a read

    // The SSL object is new from `ctx`; `side` is the socket it speaks on.
    TlsEnd(SSL_CTX* ctx, Side& side, bool server);
    SSL* ssl() const { return ssl_.get(); }

    // Ciphertext that came before the TLS object existed (the ClientHello
    // the verdict was made on).
    void push(std::string_view ciphertext);
    // Reads what the socket has into OpenSSL's input, up to `cap` held.
    Io fill(std::span<char> scratch, size_t cap);
    // Sends what OpenSSL wrote; unsent ciphertext stays for the next call.
    Io flush();
    // Ciphertext OpenSSL wrote that the socket has not taken yet.
    size_t unsent() const;
    bool eof() const { return eof_; }  // the socket said end of stream

    Step handshake();
    // Decrypted bytes into `out` (appended, at most `max`); `done` also
    // when the peer closed (closed() says so).
    Step read(std::string& out, std::span<char> scratch, size_t max);
    // Encrypts all of `data` (memory BIOs always take it).
    bool write(std::string_view data);
    // close_notify, then the socket's write side once it is sent.
    void close_notify();
    bool closed() const { return closed_; }
    // Why the last step failed (OpenSSL's reason, or "closed").
    const std::string& why() const { return why_; }

private:
    Step failed(int rc);

    SslPtr ssl_;
    BIO* in_ = nullptr;   // owned by ssl_
    BIO* out_ = nullptr;  // owned by ssl_
    Side& side_;
    std::string pending_;  // taken from out_, not yet sent
    size_t sent_ = 0;
    bool eof_ = false, closed_ = false;
    std::string why_;
};

}  // namespace vigil::web_threat
