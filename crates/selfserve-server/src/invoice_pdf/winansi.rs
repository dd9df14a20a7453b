//! Text for PDF's built-in fonts, which only read single bytes: Windows-1252 ("WinAnsi",
//! PDF 1.7 Annex D). Latin-1's letters keep their code; the few characters that Windows-1252
//! puts in 0x80–0x9F (the euro sign, curly quotes, dashes) get theirs; anything else, which
//! Helvetica cannot draw, becomes "?".

pub fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            // Spaces that only keep words together (amounts, dates) are plain spaces on paper.
            '\u{00a0}' | '\u{202f}' | '\u{2009}' => b' ',
            '\u{00a1}'..='\u{00ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}
