//! A minimal HTTP/1.1 client over one kept-alive loopback connection: enough for JSON
//! requests to our own server, without pulling an async stack into xtask.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One answer, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive connection to `addr`, reopened when the server closed it.
pub struct Connection {
    addr: SocketAddr,
    reader: Option<BufReader<TcpStream>>,
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, reader: None }
    }

    /// `method path` with extra headers and a JSON body.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, String> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            self.addr
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method != "GET" {
            request.push_str("Content-Type: application/json\r\n");
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        // A kept-alive connection the server has closed fails before any answer arrives:
        // then (and only then) the request was not handled, and is sent again once.
        let reused = self.reader.is_some();
        match self.exchange(request.as_bytes()) {
            Err(Unanswered(_)) if reused => {
                self.reader = None;
                self.exchange(request.as_bytes()).map_err(|Unanswered(e)| e)
            }
            other => other.map_err(|Unanswered(e)| e),
        }
    }

    fn exchange(&mut self, request: &[u8]) -> Result<Response, Unanswered> {
        if self.reader.is_none() {
            let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(10))
                .map_err(|e| Unanswered(format!("connect: {e}")))?;
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .map_err(|e| Unanswered(e.to_string()))?;
            let _ = stream.set_nodelay(true);
            self.reader = Some(BufReader::new(stream));
        }
        let reader = self.reader.as_mut().expect("connected above");
        reader
            .get_mut()
            .write_all(request)
            .map_err(|e| Unanswered(format!("write: {e}")))?;
        let mut status_line = String::new();
        match reader.read_line(&mut status_line) {
            Ok(0) | Err(_) => return Err(Unanswered("closed before answering".into())),
            Ok(_) => {}
        }
        let answered = read_rest(reader, &status_line);
        if answered.is_err() {
            self.reader = None;
        }
        let response = answered.map_err(Unanswered)?;
        if response
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.reader = None;
        }
        Ok(response)
    }
}

/// The request got no answer (it may be sent again on a new connection).
struct Unanswered(String);

fn read_rest(reader: &mut BufReader<TcpStream>, status_line: &str) -> Result<Response, String> {
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(|_| "bad content-length")?;
        response.body.resize(length, 0);
        reader
            .read_exact(&mut response.body)
            .map_err(|e| e.to_string())?;
    } else if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).map_err(|e| e.to_string())?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| "bad chunk size")?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
            if size == 0 {
                break;
            }
            response.body.extend_from_slice(&chunk[..size]);
        }
    }
    Ok(response)
}
