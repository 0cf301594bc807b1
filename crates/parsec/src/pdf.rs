//! A small PDF writer for the reports: a title, then sections of text lines and tables, laid
//! out on A4 pages in Helvetica (one of the fonts every PDF reader has: nothing embedded),
//! French text in the WinAnsi encoding. `pdf-writer` writes the file's objects; the layout is
//! ours and deliberately plain.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// One block of a report.
pub enum Block {
    Heading(String),
    Line(String),
    /// Column titles, then rows; each column has a width in points.
    Table {
        widths: Vec<f32>,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;

/// Text in the WinAnsi encoding (French letters are there; anything else becomes `?`).
fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 0x80,
            '’' => 0x92,
            '«' => 0xAB,
            '»' => 0xBB,
            '—' => 0x97,
            '–' => 0x96,
            'œ' => 0x9C,
            'Œ' => 0x8C,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Cuts a cell to what its column holds (Helvetica is about half as wide as it is tall).
fn fit(s: &str, width: f32, size: f32) -> String {
    let max = ((width - 4.0) / (size * 0.52)).max(1.0) as usize;
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('.');
        t
    }
}

struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    /// Opens a page when there is none or this one is full.
    fn ensure_page(&mut self) {
        if self.pages.is_empty() || self.y < MARGIN + 20.0 {
            self.pages.push(Content::new());
            self.y = HEIGHT - MARGIN;
        }
    }

    fn text(&mut self, x: f32, font: &[u8], size: f32, s: &str) {
        self.ensure_page();
        let y = self.y;
        if let Some(c) = self.pages.last_mut() {
            c.begin_text();
            c.set_font(Name(font), size);
            c.next_line(x, y);
            c.show(Str(&winansi(s)));
            c.end_text();
        }
    }

    fn advance(&mut self, by: f32) {
        self.y -= by;
    }
}

/// The report as PDF bytes.
pub fn report(title: &str, subtitle: &str, blocks: &[Block]) -> Vec<u8> {
    let mut w = Writer {
        pages: Vec::new(),
        y: HEIGHT - MARGIN,
    };
    w.text(MARGIN, b"F2", 16.0, title);
    w.advance(20.0);
    w.text(MARGIN, b"F1", 10.0, subtitle);
    w.advance(24.0);
    for b in blocks {
        match b {
            Block::Heading(h) => {
                w.advance(6.0);
                w.text(MARGIN, b"F2", 12.0, h);
                w.advance(18.0);
            }
            Block::Line(l) => {
                w.text(MARGIN, b"F1", 9.5, l);
                w.advance(13.0);
            }
            Block::Table { widths, head, rows } => {
                let mut x = MARGIN;
                for (h, width) in head.iter().zip(widths) {
                    w.text(x, b"F2", 9.0, &fit(h, *width, 9.0));
                    x += width;
                }
                w.advance(13.0);
                for row in rows {
                    let mut x = MARGIN;
                    for (cell, width) in row.iter().zip(widths) {
                        w.text(x, b"F1", 9.0, &fit(cell, *width, 9.0));
                        x += width;
                    }
                    w.advance(12.0);
                }
                w.advance(6.0);
            }
        }
    }
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let count = w.pages.len();
    let page_ids: Vec<Ref> = (0..count)
        .map(|i| Ref::new(5 + 2 * i32::try_from(i).unwrap_or(0)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    for (i, content) in w.pages.into_iter().enumerate() {
        let page_id = page_ids.get(i).copied().unwrap_or(Ref::new(5));
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.finish()
}
