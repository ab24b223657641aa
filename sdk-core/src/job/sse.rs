//! A small `text/event-stream` parser: `id`, `event`, `data`, `retry`, comments.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    pub(crate) id: Option<String>,
    pub(crate) event: Option<String>,
    pub(crate) data: String,
}

/// Feeds on chunks as they arrive; yields events at each blank line.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    line: Vec<u8>,
    data: Option<String>,
    event: Option<String>,
    id: Option<String>,
    /// The reconnection delay the server asked for, in milliseconds.
    pub(crate) retry_ms: Option<u64>,
}

impl SseParser {
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &byte in chunk {
            if byte == b'\n' {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if let Some(event) = self.line_done(&String::from_utf8_lossy(&line)) {
                    out.push(event);
                }
            } else {
                self.line.push(byte);
            }
        }
        out
    }

    fn line_done(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let data = self.data.take()?;
            return Some(SseEvent {
                id: self.id.clone(),
                event: self.event.take(),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "event" => self.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            "retry" => self.retry_ms = value.parse().ok(),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events_split_across_chunks() {
        let mut parser = SseParser::default();
        let mut events = parser.push(b": keep-alive\n\nid: 1\nevent: log\ndata: {\"a\":");
        assert!(events.is_empty());
        events.extend(parser.push(b"1}\r\n\r\nid: 2\ndata: x\ndata: y\nretry: 1500\n\n"));
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0],
            SseEvent {
                id: Some("1".into()),
                event: Some("log".into()),
                data: "{\"a\":1}".into()
            }
        );
        assert_eq!(events[1].data, "x\ny");
        assert_eq!(events[1].event, None);
        assert_eq!(parser.retry_ms, Some(1500));
    }
}
