// HttpSession: answers. Every answer is logged when it is an error (rate-limited, printable
// text only) and written under a deadline from the minimum rate. After a refusal whose body
// was not read, the connection is closed; before that, a request that passed admission
// (an authenticated agent or operator, refused for its body) reads and discards a bounded
// amount for a bounded time, so the client reads the answer instead of a reset — but only
// while few connections do so. Peers refused before admission (no identity, bad head) are
// closed at once: draining their bodies was the work a flood of anonymous 64 MiB bodies
// made the I/O threads do instead of serving agents.
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "http_session.hpp"

namespace vigil::central {

namespace http = boost::beast::http;

namespace {

constexpr size_t kDrainChunk = 16 * 1024;
constexpr uint64_t kDrainMax = 1 << 20;
constexpr auto kDrainTime = std::chrono::seconds(2);

template <class Message>
void set_head(Message& msg, const Response& r, bool keep) {
    msg.result(static_cast<unsigned>(r.status));
    msg.set(http::field::server, "vigil-central");
    msg.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) msg.set(name, value);
    msg.keep_alive(keep);
}

}  // namespace

void HttpSession::refuse(const ApiError& error) {
    keep_alive_ = keep_alive_ && body_done_;  // unread body bytes would be taken for the next request
    respond(Api::error_reply(error));
}

void HttpSession::log_answer(const Response& r) const {
    if (r.status < 400 && !ctx_.verbose) return;
    std::string line =
        std::to_string(r.status) + " " +
        (request_.method.empty() ? std::string("(unparsed request)")
                                 : printable(request_.method, 16) + " " + printable(request_.path, 200)) +
        " from " + peer_;
    if (r.status >= 400) line += ": " + printable(r.body, 300);
    if (r.status >= 400) {
        ctx_.client_errors.log(line);
    } else {
        log_line(line);
    }
}

void HttpSession::respond(Response r) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::write;
    if (!counted_) {
        // Answers given without Api::handle (refused heads, long polls): counted here too.
        if (request_start_ == Clock::time_point{}) request_start_ = Clock::now();
        r = ctx_.api.count(request_, std::move(r), request_start_);
        counted_ = true;
    }
    const unsigned version = version_;
    answer_keeps_alive_ = keep_alive_ && body_done_ && !stop_requested_ && !ctx_.stopping;
    if (!r.file_path.empty()) {
        auto msg = std::make_shared<http::response<http::file_body>>();
        error_code ec;
        msg->body().open(r.file_path.c_str(), boost::beast::file_mode::scan, ec);
        if (!ec) {
            log_answer(r);
            msg->version(version);
            set_head(*msg, r, answer_keeps_alive_);
            msg->prepare_payload();
            response_ = msg;
            arm(rate_deadline(Clock::now(), msg->body().size()));
            return http::async_write(
                stream_, *msg, [self = shared_from_this()](error_code e, size_t) { self->on_written(e); });
        }
        r = Api::error_reply(ApiError(500, "cannot read the stored file: " + ec.message()));
    }
    log_answer(r);
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->version(version);
    set_head(*msg, r, answer_keeps_alive_);
    msg->body() = std::move(r.body);
    msg->prepare_payload();
    response_ = msg;
    arm(rate_deadline(Clock::now(), msg->body().size()));
    http::async_write(stream_, *msg,
                      [self = shared_from_this()](error_code e, size_t) { self->on_written(e); });
}

void HttpSession::on_written(error_code ec) {
    response_.reset();
    end_busy();
    if (ec || timed_out_) return close();
    if (answer_keeps_alive_) return wait_request();
    if (!body_done_) return linger();
    close();
}

void HttpSession::linger() {
    if (!request_.principal) return close();
    if (ctx_.lingering.fetch_add(1) >= ServerContext::kMaxLingering) {
        --ctx_.lingering;
        return close();
    }
    lingering_ = true;
    phase_ = Phase::linger;
    drain_ = std::make_unique<char[]>(kDrainChunk);
    drained_ = 0;
    arm(Clock::now() + kDrainTime);
    stream_.async_read_some(
        net::buffer(drain_.get(), kDrainChunk),
        [self = shared_from_this()](error_code ec, size_t n) { self->on_linger_read(ec, n); });
}

void HttpSession::on_linger_read(error_code ec, size_t n) {
    drained_ += n;
    if (ec || timed_out_ || drained_ >= kDrainMax) return close();
    stream_.async_read_some(
        net::buffer(drain_.get(), kDrainChunk),
        [self = shared_from_this()](error_code e, size_t m) { self->on_linger_read(e, m); });
}

}  // namespace vigil::central
