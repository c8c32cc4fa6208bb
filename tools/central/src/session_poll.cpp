// HttpSession: a long poll without a thread. While it waits, the connection is a timer for
// its deadline plus a TaskBroker subscription for its agent; the storage claims run on the
// worker pool. A wake-up (task created, or shutdown) claims again; the deadline answers
// with no tasks.
#include <boost/asio/post.hpp>

#include "http_session.hpp"

namespace vigil::central {

void HttpSession::start_poll() {
    phase_ = Phase::poll;
    net::post(ctx_.workers, [self = shared_from_this()] {
        PollStep step = self->ctx_.api.begin_poll(self->request_);
        net::post(self->stream_.get_executor(),
                  [self, step = std::move(step)]() mutable { self->poll_step(std::move(step)); });
    });
}

void HttpSession::poll_step(PollStep step) {
    if (phase_ != Phase::poll) return;
    if (step.reply) {
        poll_.reset();
        return respond(std::move(*step.reply));
    }
    poll_ = std::move(step.wait);
    // The callback only posts to this connection's strand, so it never runs before this
    // function returns, even when the broker calls it at once (a task arrived meanwhile).
    // It holds the session: close() cancels the subscription, which releases it.
    const uint64_t round = ++poll_round_;
    poll_subscription_ =
        ctx_.broker.subscribe(poll_->agent_id, poll_->generation, [self = shared_from_this(), round] {
            net::post(self->stream_.get_executor(), [self, round] { self->on_poll_wake(round); });
        });
    arm(poll_->deadline);
}

void HttpSession::on_poll_wake(uint64_t round) {
    if (phase_ != Phase::poll || round != poll_round_) return;
    poll_subscription_ = 0;
    disarm();
    run_poll(*poll_);
}

// The timer ran out. If the subscription already fired, its wake-up is on the way and will
// find the deadline passed; otherwise it is withdrawn here and the poll answers now.
void HttpSession::on_poll_deadline() {
    if (poll_subscription_ && !ctx_.broker.cancel(poll_->agent_id, poll_subscription_)) return;
    poll_subscription_ = 0;
    ++poll_round_;
    run_poll(*poll_);
}

void HttpSession::run_poll(const PollWait& wait) {
    net::post(ctx_.workers, [self = shared_from_this(), wait] {
        PollStep step = self->ctx_.api.continue_poll(wait);
        net::post(self->stream_.get_executor(),
                  [self, step = std::move(step)]() mutable { self->poll_step(std::move(step)); });
    });
}

}  // namespace vigil::central
