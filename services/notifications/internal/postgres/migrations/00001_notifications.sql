-- +goose Up
-- How users are reached, until a user service exists: mentors are upserted
-- here; a mentee's address also comes with each booking.
CREATE TABLE recipients (
    user_id      text        PRIMARY KEY,
    email        text        NOT NULL,
    display_name text        NOT NULL DEFAULT '',
    time_zone    text        NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The latest snapshot heard of each booking: who its sides are, for replies
-- and thread access.
CREATE TABLE bookings (
    booking_id text   PRIMARY KEY,
    mentor_id  text   NOT NULL,
    mentee_id  text   NOT NULL,
    version    bigint NOT NULL,
    snapshot   jsonb  NOT NULL
);

-- The in-app inbox. Ids derive from the event and the reader, so an event
-- handled twice cannot add a second item.
CREATE TABLE notifications (
    id         uuid        PRIMARY KEY,
    user_id    text        NOT NULL,
    kind       text        NOT NULL,
    booking_id text        NOT NULL DEFAULT '',
    title      text        NOT NULL,
    body       text        NOT NULL,
    link       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Emails to send: written in the same transaction as their notification and
-- sent by the sender loop, retried with backoff until sent or given up.
CREATE TABLE emails (
    id              uuid        PRIMARY KEY,
    notification_id uuid        UNIQUE REFERENCES notifications (id),
    to_addr         text        NOT NULL,
    to_name         text        NOT NULL DEFAULT '',
    subject         text        NOT NULL,
    text_body       text        NOT NULL,
    html_body       text        NOT NULL,
    attachments     jsonb       NOT NULL DEFAULT '[]',
    status          text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX emails_due ON emails (next_attempt_at) WHERE status = 'queued';

-- The delivery log: every state an email went through, with the reason.
CREATE TABLE email_log (
    id       bigserial   PRIMARY KEY,
    email_id uuid        NOT NULL REFERENCES emails (id),
    at       timestamptz NOT NULL DEFAULT now(),
    status   text        NOT NULL,
    attempt  integer     NOT NULL,
    detail   text        NOT NULL DEFAULT ''
);
CREATE INDEX email_log_by_email ON email_log (email_id, id);

-- Messages about a booking: the mentor's (from booking.message_sent) and the
-- mentee's replies.
CREATE TABLE thread_messages (
    id          uuid        PRIMARY KEY,
    booking_id  text        NOT NULL,
    author_role text        NOT NULL,
    author_id   text        NOT NULL,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX thread_messages_by_booking ON thread_messages (booking_id, created_at, id);

-- The development mailbox: what would have gone over SMTP.
CREATE TABLE dev_mailbox (
    id               bigserial   PRIMARY KEY,
    email_id         uuid        NOT NULL UNIQUE,
    to_addr          text        NOT NULL,
    subject          text        NOT NULL,
    text_body        text        NOT NULL,
    html_body        text        NOT NULL,
    attachment_names text[]      NOT NULL DEFAULT '{}',
    raw              text        NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dev_mailbox_by_to ON dev_mailbox (to_addr, id DESC);

-- +goose Down
DROP TABLE dev_mailbox;
DROP TABLE thread_messages;
DROP TABLE email_log;
DROP TABLE emails;
DROP TABLE notifications;
DROP TABLE bookings;
DROP TABLE recipients;
