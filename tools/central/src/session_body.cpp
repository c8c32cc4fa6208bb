// HttpSession: reading an admitted request's body. In-memory bodies grow chunk by chunk
// inside the request's memory reservation (503 when the global budget cannot give more);
// uploads go to a spool file beside the stored files. Either way the body must keep an
// average rate above server.min_body_rate (after a grace period) and end within
// server.body_timeout_s, so a slow sender cannot hold a connection and its memory.
#include <fcntl.h>
#include <unistd.h>

#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <cstring>

#include "http_session.hpp"

namespace vigil::central {

namespace http = boost::beast::http;

namespace {

constexpr size_t kChunk = 64 * 1024;

bool write_all(int fd, const char* data, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        data += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

ApiError budget_exhausted() {
    return ApiError(503, "server busy: the memory for request bodies is in use, retry later");
}

}  // namespace

void HttpSession::start_body() {
    phase_ = Phase::body;
    body_parser_.emplace(std::move(*head_parser_));
    head_parser_.reset();
    const BodyPolicy policy = ctx_.api.body_policy(request_.method, request_.path);
    body_parser_->body_limit(policy.max_bytes);
    body_start_ = Clock::now();
    body_bytes_ = 0;
    if (policy.stream) {
        if (!memory_.grow(kChunk)) return refuse(budget_exhausted());
        if (!open_spool())
            return refuse(ApiError(500, "cannot store the upload: " + std::string(strerror(errno))));
        spool_chunk_ = std::make_unique<char[]>(kChunk);
    } else if (request_.content_length) {
        // The announced size is taken from the budget at once, so the body never reallocates.
        if (!memory_.ensure(*request_.content_length)) return refuse(budget_exhausted());
        body_.reserve(*request_.content_length);
    }
    read_body_chunk();
}

bool HttpSession::open_spool() {
    std::string path = ctx_.spool_dir + "/upload.XXXXXX";
    spool_fd_ = ::mkostemp(path.data(), O_CLOEXEC);
    if (spool_fd_ < 0) return false;
    spool_path_ = path;
    return true;
}

void HttpSession::read_body_chunk() {
    auto& target = body_parser_->get().body();
    if (spool_fd_ >= 0) {
        target.data = spool_chunk_.get();
        target.size = kChunk;
    } else {
        size_t want = kChunk;
        if (request_.content_length && *request_.content_length > body_.size())
            want = static_cast<size_t>(std::min<uint64_t>(want, *request_.content_length - body_.size()));
        const size_t need = body_.size() + want;
        if (body_.capacity() < need) {
            const size_t capacity = std::max(need, body_.capacity() * 2);
            if (!memory_.ensure(capacity)) return refuse(budget_exhausted());
            body_.reserve(capacity);
        }
        chunk_offset_ = body_.size();
        body_.resize(need);
        target.data = body_.data() + chunk_offset_;
        target.size = want;
    }
    chunk_size_ = target.size;
    arm(rate_deadline(body_start_, body_bytes_));
    http::async_read_some(stream_, buffer_, *body_parser_,
                          [self = shared_from_this()](error_code ec, size_t) { self->on_body_chunk(ec); });
}

void HttpSession::on_body_chunk(error_code ec) {
    const size_t got = chunk_size_ - body_parser_->get().body().size;
    body_bytes_ += got;
    if (ec == http::error::need_buffer) ec = {};
    if (spool_fd_ < 0) {
        body_.resize(chunk_offset_ + got);
    } else if (got > 0 && !write_all(spool_fd_, spool_chunk_.get(), got)) {
        return refuse(ApiError(500, "cannot store the upload: " + std::string(strerror(errno))));
    }
    if (timed_out_)
        return refuse(ApiError(408, "the body arrived slower than " +
                                        std::to_string(ctx_.transport.min_rate) +
                                        " bytes/s or took longer than " +
                                        std::to_string(ctx_.transport.body_timeout.count()) + " s"));
    if (ec == http::error::body_limit) {
        const BodyPolicy policy = ctx_.api.body_policy(request_.method, request_.path);
        return refuse(
            ApiError(413, "body exceeds the limit of " + std::to_string(policy.max_bytes) + " bytes"));
    }
    if (ec == net::error::eof || ec == http::error::partial_message || ec == net::error::operation_aborted)
        return close();
    if (ec) return refuse(ApiError(400, "malformed request body: " + ec.message()));
    if (body_parser_->is_done()) return finish_body();
    read_body_chunk();
}

void HttpSession::finish_body() {
    body_done_ = true;
    disarm();
    spool_chunk_.reset();
    if (spool_fd_ >= 0) {
        ::close(spool_fd_);
        spool_fd_ = -1;
        memory_.reset();
    } else {
        request_.body = std::move(body_);
    }
    body_parser_.reset();
    dispatch();
}

}  // namespace vigil::central
