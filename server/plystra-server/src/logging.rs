//! Log output: `LOG_FORMAT=json` (default) writes one JSON object per line with the event's
//! fields at the top level; `LOG_FORMAT=text` writes tracing-subscriber's compact format.
//! `RUST_LOG` filters as usual (default `info`).

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// A subscriber writing `format` to `writer`; `ansi` colours the text format.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.compact().with_ansi(ansi).finish()),
    }
}

/// Installs the process-wide subscriber (stdout). A second call changes nothing.
pub fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ =
        tracing::subscriber::set_global_default(subscriber(format, filter, std::io::stdout, ansi));
}
