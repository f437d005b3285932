"""Options of notification delivery (``[notification]``).

The first group of options has upstream's names and defaults; the
``delivery_*`` ones tune this implementation's durable delivery (see
``doc/notifications.rst``). Only oslo.config is imported here:
``zaqar.common.configs`` loads this module to register the options and to
generate the sample file.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "notification"

SENDER = "Zaqar Notifications <no-reply@openstack.org>"

SUBSCRIBE_TEMPLATE = {
    "topic": "Zaqar Notification - Subscription Confirmation",
    "body": "You have chosen to subscribe to the queue: {0}. This queue "
            "belongs to project: {1}. To confirm this subscription, click "
            "or visit this link below: {2}",
    "sender": SENDER,
}

UNSUBSCRIBE_TEMPLATE = {
    "topic": "Zaqar Notification - Unsubscribe Confirmation",
    "body": "You have unsubscribed successfully to the queue: {0}. This "
            "queue belongs to project: {1}. To resubscribe this "
            "subscription, click or visit this link below: {2}",
    "sender": SENDER,
}

OPTS = [
    cfg.StrOpt("smtp_mode", default="third_part",
               choices=[("third_part", "pipe each e-mail into smtp_command"),
                        ("self_local", "send through the SMTP server at "
                                       "smtp_host:smtp_port")],
               help="How e-mail (mailto:) notifications leave the server."),
    cfg.StrOpt("smtp_command", default="/usr/sbin/sendmail -t -oi",
               help="Command that reads one e-mail (headers included) on "
                    "its standard input and sends it, used when smtp_mode "
                    "is 'third_part'. Exit status 75 (EX_TEMPFAIL) means "
                    "'try again later'."),
    cfg.HostAddressOpt("smtp_host",
                       help="SMTP server used when smtp_mode is "
                            "'self_local'."),
    cfg.PortOpt("smtp_port", default=25,
                help="Port of the SMTP server."),
    cfg.StrOpt("smtp_user_name",
               help="User to authenticate as on the SMTP server (no "
                    "authentication when unset)."),
    cfg.StrOpt("smtp_user_password", secret=True,
               help="Password of smtp_user_name."),
    cfg.BoolOpt("smtp_use_tls", default=False,
                help="Upgrade the SMTP connection with STARTTLS (the "
                     "server certificate is verified against the system "
                     "trust store) before authenticating."),
    cfg.IntOpt("max_notifier_workers", default=10, min=1,
               help="Deliveries a server process performs at the same "
                    "time."),
    cfg.BoolOpt("require_confirmation", default=False,
                help="Send a confirmation request to every new http, "
                     "https or mailto subscriber and deliver nothing to it "
                     "until it confirmed. Needs [signed_url] secret_key."),
    cfg.StrOpt("external_confirmation_url",
               help="Web page that e-mail confirmation links point to; it "
                    "receives the signed confirmation parameters and "
                    "calls Zaqar. E-mail subscribers get no confirmation "
                    "request while this is unset."),
    cfg.DictOpt("subscription_confirmation_email_template",
                default=SUBSCRIBE_TEMPLATE,
                help="E-mail asking a mailto subscriber to confirm: "
                     "'topic' (the subject), 'body' ({0} is the queue, {1} "
                     "the project, {2} the confirmation link) and "
                     "'sender'."),
    cfg.DictOpt("unsubscribe_confirmation_email_template",
                default=UNSUBSCRIBE_TEMPLATE,
                help="E-mail telling a mailto subscriber it was "
                     "unsubscribed; same keys as "
                     "subscription_confirmation_email_template."),
    cfg.IntOpt("delivery_timeout", default=10, min=1,
               help="Seconds one delivery attempt (a webhook POST, an SMTP "
                    "session, the smtp_command) may take before it counts "
                    "as failed and is retried."),
    cfg.IntOpt("delivery_claim_ttl", default=60, min=1,
               help="Seconds a server process holds a pending delivery "
                    "while performing it. If the process dies, another one "
                    "(or the same one restarted) performs it once this "
                    "has elapsed. Keep it well above delivery_timeout."),
    cfg.FloatOpt("delivery_poll_interval", default=1.0, min=0.05,
                 help="Seconds between two looks for pending deliveries "
                      "recorded by other server processes (deliveries "
                      "recorded by a process start at once in that "
                      "process)."),
]

GROUPS = [(GROUP, OPTS)]
