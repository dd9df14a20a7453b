//! Delivery: a task in each server claims due mails (a lease, so several servers on one
//! database never send the same mail at the same time), renders them, sends them by SMTP or
//! writes them as `.eml` files, then records the outcome. No database transaction is open while
//! a mail is on its way. Delivery is at least once: a server that dies after the SMTP server
//! accepted a mail but before recording it sends it again, with the same Message-ID.

use super::render::render;
use super::unsubscribe::{self, UnsubscribeKey};
use super::{MailFacts, Template};
use crate::invoice_pdf::{self, Parties};
use crate::store::Store;
use crate::store::outbox::{OutboxMail, real_now};
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// A password that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct SmtpPassword(String);

impl SmtpPassword {
    /// Keeps `password` (trailing newlines of a file removed).
    pub fn new(password: &str) -> Self {
        Self(password.trim_end_matches(['\r', '\n']).to_owned())
    }
}

impl std::fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpPassword(…)")
    }
}

/// How TLS is used with the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtp://`: STARTTLS when the server offers it.
    StartTlsIfOffered,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An SMTP server (`--smtp-url`).
    Smtp {
        host: String,
        port: u16,
        tls: SmtpTls,
        user: Option<String>,
        password: Option<SmtpPassword>,
    },
    /// `.eml` files in this folder (no `--smtp-url`).
    Files(PathBuf),
}

/// The mail settings of `serve`.
#[derive(Debug, Clone)]
pub struct MailOptions {
    pub delivery: Delivery,
    /// `--mail-from`.
    pub from: Mailbox,
}

impl MailOptions {
    /// From the command line: `smtp_url` (`smtp://[user@]host[:port]` or `smtps://…`), the
    /// password from a file or the environment, the sender address; without an SMTP URL, `.eml`
    /// files in `files`.
    pub fn from_args(
        smtp_url: Option<&str>,
        password: Option<SmtpPassword>,
        mail_from: Option<&str>,
        files: PathBuf,
    ) -> Result<Self, String> {
        let from = |text: &str| -> Result<Mailbox, String> {
            text.parse::<Mailbox>()
                .map_err(|e| format!("--mail-from {text:?} is not an address: {e}"))
        };
        let Some(url) = smtp_url else {
            return Ok(Self {
                delivery: Delivery::Files(files),
                from: from(mail_from.unwrap_or("selfserve@localhost"))?,
            });
        };
        let Some(mail_from) = mail_from else {
            return Err("--smtp-url needs --mail-from (the address mail is sent from)".into());
        };
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| format!("--smtp-url is not a URL ({e}): use smtp://[user@]host:port"))?;
        let (tls, default_port) = match parsed.scheme() {
            "smtp" => (SmtpTls::StartTlsIfOffered, 587),
            "smtps" => (SmtpTls::Implicit, 465),
            other => {
                return Err(format!(
                    "--smtp-url scheme {other:?}: use smtp:// (STARTTLS when offered) or smtps://"
                ));
            }
        };
        if parsed.password().is_some() {
            return Err(
                "--smtp-url must not carry a password: use --smtp-password-file or \
                        SELFSERVE_SMTP_PASSWORD"
                    .into(),
            );
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("--smtp-url has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let user = match parsed.username() {
            "" => None,
            user => Some(
                percent_decode(user).ok_or("--smtp-url's user is not valid percent-encoding")?,
            ),
        };
        if user.is_some() != password.is_some() {
            return Err(if user.is_some() {
                "--smtp-url names a user: give its password with --smtp-password-file or \
                 SELFSERVE_SMTP_PASSWORD"
                    .into()
            } else {
                "an SMTP password was given but --smtp-url names no user (smtp://user@host)".into()
            });
        }
        Ok(Self {
            delivery: Delivery::Smtp {
                host,
                port: parsed.port().unwrap_or(default_port),
                tls,
                user,
                password,
            },
            from: from(mail_from)?,
        })
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// How long one sender owns a claimed mail; longer than an SMTP attempt can take.
const LEASE_SECONDS: i64 = 60;
/// An SMTP conversation's limit.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// How often the outbox is looked at without being woken (mail planned by another server or
/// the command line).
const POLL: Duration = Duration::from_secs(5);
/// Mails claimed at once: one, so that a slow SMTP server never holds a claimed mail past
/// its lease while others wait their turn behind it.
const BATCH: i64 = 1;
/// Retries wait 2, 4, 8 … seconds, at most 15 minutes; after this many attempts a mail is
/// given up (about five hours).
const MAX_ATTEMPTS: i64 = 30;
const BACKOFF_CAP_SECONDS: i64 = 15 * 60;

/// The seconds to wait after attempt number `attempts` (1 = the first) failed.
pub fn backoff(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 20) as u32;
    2i64.pow(exponent).min(BACKOFF_CAP_SECONDS)
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Why an attempt failed.
enum Failure {
    /// Worth trying again later (the server is down, a 4xx answer).
    Transient(String),
    /// Never going to work (a 5xx answer, an impossible address).
    Permanent(String),
}

/// The sending task's handle: wakes it when mail may be waiting.
#[derive(Clone, Debug, Default)]
pub struct MailWake(Arc<Notify>);

impl MailWake {
    /// Something may have been committed with mail in it: look now. A wake while the sender is
    /// busy is kept, so none is lost.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// One server's sender.
pub struct Sender {
    store: Store,
    transport: Transport,
    from: Mailbox,
    /// The domain of Message-IDs: the sender address's.
    id_domain: String,
    app_origin: String,
    owner: String,
    wake: MailWake,
    /// Read from the database at the first admin notice.
    unsubscribe_key: tokio::sync::OnceCell<UnsubscribeKey>,
    /// `--seller-name`, on the invoice a receipt attaches.
    seller: Option<String>,
}

/// A file attached to a mail: its name and a PDF's bytes.
struct PdfAttachment {
    filename: String,
    bytes: Vec<u8>,
}

impl Sender {
    /// A sender for `options`, linking to the app at `app_origin`.
    pub fn new(
        store: Store,
        options: &MailOptions,
        app_origin: String,
        wake: MailWake,
        seller: Option<String>,
    ) -> Result<Self, String> {
        let transport = match &options.delivery {
            Delivery::Files(folder) => Transport::Files(folder.clone()),
            Delivery::Smtp {
                host,
                port,
                tls,
                user,
                password,
            } => {
                let parameters =
                    TlsParameters::new(host.clone()).map_err(|e| format!("TLS for {host}: {e}"))?;
                let tls = match tls {
                    SmtpTls::StartTlsIfOffered => Tls::Opportunistic(parameters),
                    SmtpTls::Implicit => Tls::Wrapper(parameters),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(*port)
                    .tls(tls)
                    .timeout(Some(SMTP_TIMEOUT));
                if let (Some(user), Some(password)) = (user, password) {
                    builder =
                        builder.credentials(Credentials::new(user.clone(), password.0.clone()));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self {
            store,
            transport,
            id_domain: options.from.email.domain().to_owned(),
            from: options.from.clone(),
            app_origin,
            owner: crate::ids::new_id("sender"),
            wake,
            unsubscribe_key: tokio::sync::OnceCell::new(),
            seller,
        })
    }

    /// Delivers until `stopped`: at once, when woken, when a retry is due, and every [`POLL`].
    pub async fn run(self, mut stopped: watch::Receiver<bool>) -> std::io::Result<()> {
        loop {
            if let Err(error) = self.deliver_due().await {
                tracing::error!(%error, "delivering mail failed");
            }
            let wait = match self.store.next_mail_due().await {
                Ok(Some(at)) => {
                    Duration::from_secs((at - real_now()).clamp(1, POLL.as_secs() as i64) as u64)
                }
                Ok(None) | Err(_) => POLL,
            };
            tokio::select! {
                () = self.wake.0.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = stopped.wait_for(|stop| *stop) => return Ok(()),
            }
        }
    }

    /// Sends every mail due now; returns how many were delivered.
    pub async fn deliver_due(&self) -> Result<usize, crate::store::StoreError> {
        let mut delivered = 0;
        loop {
            let now = real_now();
            let claimed = self
                .store
                .claim_mails(&self.owner, now, now + LEASE_SECONDS, BATCH)
                .await?;
            if claimed.is_empty() {
                return Ok(delivered);
            }
            for mail in claimed {
                match self.deliver(&mail).await {
                    Ok(()) => {
                        self.store
                            .mail_sent(&mail.id, &self.owner, real_now())
                            .await?;
                        tracing::info!(id = %mail.id, template = %mail.template, "mail sent");
                        delivered += 1;
                    }
                    Err(failure) => {
                        let attempts = mail.attempts + 1;
                        let (error, retry_at) = match failure {
                            Failure::Transient(e) if attempts < MAX_ATTEMPTS => {
                                (e, Some(real_now() + backoff(attempts)))
                            }
                            Failure::Transient(e) | Failure::Permanent(e) => (e, None),
                        };
                        match retry_at {
                            Some(at) => tracing::warn!(
                                id = %mail.id, attempts, retry_in = at - real_now(), %error,
                                "mail not delivered; will retry"
                            ),
                            None => tracing::error!(
                                id = %mail.id, attempts, %error, "mail given up"
                            ),
                        }
                        self.store
                            .mail_failed(&mail.id, &self.owner, &error, retry_at)
                            .await?;
                    }
                }
            }
        }
    }

    async fn deliver(&self, mail: &OutboxMail) -> Result<(), Failure> {
        let unsubscribe = if mail.template.is_admin_notice() {
            let key = self
                .unsubscribe_key
                .get_or_try_init(|| self.store.unsubscribe_key(real_now()))
                .await
                .map_err(|e| Failure::Transient(format!("the unsubscribe key: {e}")))?;
            Some(unsubscribe::link(&self.app_origin, key, &mail.recipient_id))
        } else {
            None
        };
        let attachment = self.invoice_attachment(mail).await?;
        let message = self.message(mail, unsubscribe, attachment)?;
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
                Err(e) => Err(Failure::Transient(e.to_string())),
            },
            Transport::Files(folder) => {
                let write = || -> std::io::Result<()> {
                    std::fs::create_dir_all(folder)?;
                    let path = folder.join(format!("{}.eml", mail.id));
                    let part = folder.join(format!("{}.eml.part", mail.id));
                    std::fs::write(&part, message.formatted())?;
                    // Whole or absent: a reader never sees half a mail.
                    std::fs::rename(part, path)
                };
                write().map_err(|e| Failure::Transient(format!("writing the mail file: {e}")))
            }
        }
    }

    /// A receipt carries its invoice as a PDF, as the bill is when the mail is sent, in the
    /// recipient's language.
    async fn invoice_attachment(
        &self,
        mail: &OutboxMail,
    ) -> Result<Option<PdfAttachment>, Failure> {
        let (Template::Receipt, MailFacts::Subscription(facts)) = (mail.template, &mail.facts)
        else {
            return Ok(None);
        };
        let Some(invoice_id) = &facts.invoice_id else {
            return Ok(None);
        };
        let invoice = self
            .store
            .invoice(invoice_id)
            .await
            .map_err(|e| Failure::Transient(format!("reading the invoice: {e}")))?;
        // Bills are never deleted; a missing one (a restored backup) leaves the link only.
        let Some(invoice) = invoice else {
            return Ok(None);
        };
        let parties = Parties {
            seller: self.seller.clone(),
            organization: facts.organization_name.clone(),
            country: mail.country.clone(),
            purchaser_name: facts.purchaser_name.clone(),
            purchaser_email: mail.recipient_email.clone(),
        };
        Ok(Some(PdfAttachment {
            filename: format!("invoice-{}.pdf", invoice.number),
            bytes: invoice_pdf::render(&invoice, &parties, mail.language),
        }))
    }

    fn message(
        &self,
        mail: &OutboxMail,
        unsubscribe: Option<String>,
        attachment: Option<PdfAttachment>,
    ) -> Result<Message, Failure> {
        let rendered = render(mail, &self.app_origin);
        let to = mail
            .recipient_email
            .parse()
            .map(|address| Mailbox::new(Some(mail.recipient_name.clone()), address))
            .map_err(|e| Failure::Permanent(format!("recipient address: {e}")))?;
        let mut builder = Message::builder();
        if let Some(link) = unsubscribe {
            // RFC 2369's link, and RFC 8058's promise that a POST to it is all it takes.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{link}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!("<{}@{}>", mail.id, self.id_domain)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                rendered.language.to_owned(),
            ))
            .multipart({
                let body = MultiPart::alternative_plain_html(rendered.text, rendered.html);
                match attachment {
                    Some(pdf) => MultiPart::mixed().multipart(body).singlepart(
                        Attachment::new(pdf.filename).body(
                            pdf.bytes,
                            ContentType::parse("application/pdf")
                                .map_err(|e| Failure::Permanent(format!("the PDF's type: {e}")))?,
                        ),
                    ),
                    None => body,
                }
            })
            .map_err(|e| Failure::Permanent(format!("building the mail: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        assert_eq!(backoff(1), 2);
        assert_eq!(backoff(2), 4);
        assert_eq!(backoff(5), 32);
        assert_eq!(backoff(29), BACKOFF_CAP_SECONDS);
    }

    #[test]
    fn smtp_urls_are_read_strictly() {
        let files = PathBuf::from("outbox");
        let ok = MailOptions::from_args(
            Some("smtp://mailer%40x@mail.example:2525"),
            Some(SmtpPassword::new("pw\n")),
            Some("shop@example.com"),
            files.clone(),
        )
        .unwrap();
        match ok.delivery {
            Delivery::Smtp {
                host,
                port,
                tls,
                user,
                password,
            } => {
                assert_eq!(
                    (host.as_str(), port, tls, user.as_deref()),
                    (
                        "mail.example",
                        2525,
                        SmtpTls::StartTlsIfOffered,
                        Some("mailer@x")
                    )
                );
                assert_eq!(password.unwrap().0, "pw");
            }
            Delivery::Files(_) => panic!("expected SMTP"),
        }
        let implicit = MailOptions::from_args(
            Some("smtps://mail.example"),
            None,
            Some("a@b.c"),
            files.clone(),
        )
        .unwrap();
        assert!(matches!(
            implicit.delivery,
            Delivery::Smtp {
                port: 465,
                tls: SmtpTls::Implicit,
                ..
            }
        ));
        for (url, password, from) in [
            ("smtp://u:secret@h:25", None, Some("a@b.c")),
            ("http://h", None, Some("a@b.c")),
            ("smtp://u@h", None, Some("a@b.c")),
            ("smtp://h", None, None),
        ] {
            let error =
                MailOptions::from_args(Some(url), password, from, files.clone()).unwrap_err();
            assert!(!error.contains("secret"), "{error}");
        }
        assert!(
            format!("{:?}", SmtpPassword::new("hunter2"))
                .find("hunter2")
                .is_none()
        );
    }
}
