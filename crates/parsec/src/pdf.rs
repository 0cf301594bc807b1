//! A small PDF writer for the reports: a title, then headings, lines of text and tables, laid
//! out on A4 pages. Every page carries the caller's marking ("Diffusion restreinte") at its
//! head and foot and its number out of the total, so all pages are laid out before any is
//! written. Tables break between rows only, repeat their head row on each page, and wrap long
//! cells within their column.
//!
//! Names come in every script the region writes: Latin with the Fulfulde letters (ɓ ɗ ŋ ƴ ɛ ɔ)
//! and Arabic. The fonts are Noto Sans (regular, bold) and Noto Sans Arabic, shipped in
//! `data/fonts/` (OFL, see its README) and compiled in, never read from the system. A report
//! embeds only the glyphs it uses (cut by `subsetter`), as CID fonts with a ToUnicode map so
//! that the text can be searched and copied. `pdf-writer` writes the objects; the layout is
//! ours and deliberately plain.
//!
//! Arabic is joined and set right to left by the small joiner below, over the Unicode
//! presentation forms (U+FE70–U+FEFF) that Noto Sans Arabic maps in its cmap. A full shaper
//! (rustybuzz with unicode-bidi) would also place vowel marks exactly, apply the font's
//! optional ligatures and join the letters those forms lack (پ چ ڭ …: shown unjoined here),
//! for ten more crates (measured: about 2 s of a dev build, 5 s of a release one). Names are
//! mostly plain letters, which the forms render faithfully, and marks land on their letter,
//! roughly placed: the joiner is enough until names with those letters must print.

use std::collections::BTreeMap;
use std::io::Write;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// One block of a report.
pub enum Block {
    Heading(String),
    Line(String),
    /// Column titles, then rows; each column has a width in points (scaled down together when
    /// they add up to more than the page holds).
    Table {
        widths: Vec<f32>,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// What the caller says about a report; every word of it in the reader's language.
pub struct Report<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// The handling mark printed at the head and foot of every page.
    pub marking: &'a str,
    /// The page's label from its number (from 1) and the total: "Page 2 / 5".
    pub page_label: &'a dyn Fn(usize, usize) -> String,
    pub blocks: &'a [Block],
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the font {0} cannot be read")]
    Font(&'static str),
    #[error("the font {0} cannot be subsetted: {1}")]
    Subset(&'static str, String),
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const CONTENT_WIDTH: f32 = WIDTH - 2.0 * MARGIN;
/// The content's top and bottom; the marking and the page label sit outside.
const TOP: f32 = HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN;
const CELL_SIZE: f32 = 9.0;
const CELL_LEADING: f32 = 11.0;
const CELL_PAD: f32 = 3.0;

/// The shipped fonts, by PostScript name: regular, bold, Arabic.
const FONTS: [(&str, &[u8]); 3] = [
    (
        "NotoSans-Regular",
        include_bytes!("../data/fonts/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSans-Bold",
        include_bytes!("../data/fonts/NotoSans-Bold.ttf"),
    ),
    (
        "NotoSansArabic-Regular",
        include_bytes!("../data/fonts/NotoSansArabic-Regular.ttf"),
    ),
];
const REGULAR: usize = 0;
const BOLD: usize = 1;
const ARABIC: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Regular,
    Bold,
}

/// One glyph as drawn: its font (an index in `FONTS`), its id there, its advance in
/// thousandths of the font size, and the text it stands for (for the ToUnicode map).
#[derive(Clone, Debug)]
struct Glyph {
    font: usize,
    id: u16,
    advance: f32,
    text: String,
}

/// What is drawn on a page.
#[derive(Debug)]
enum Op {
    /// Glyphs in visual order from `x` on the baseline `y`; `text` is what they say, kept for
    /// the tests.
    Text {
        x: f32,
        y: f32,
        size: f32,
        glyphs: Vec<Glyph>,
        #[cfg_attr(not(test), allow(dead_code))]
        text: String,
    },
    /// A filled rectangle in a grey (0 black, 1 white).
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
    /// A horizontal rule.
    Rule {
        x: f32,
        y: f32,
        w: f32,
        width: f32,
        gray: f32,
    },
}

struct Fonts {
    faces: Vec<ttf_parser::Face<'static>>,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        let faces = FONTS
            .iter()
            .map(|(name, data)| ttf_parser::Face::parse(data, 0).map_err(|_| PdfError::Font(name)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Fonts { faces })
    }

    fn face(&self, font: usize) -> Option<&ttf_parser::Face<'static>> {
        self.faces.get(font)
    }

    /// The glyph for `c` in `font`, if the font has one.
    fn glyph(&self, font: usize, c: char, text: &str) -> Option<Glyph> {
        let face = self.face(font)?;
        let id = face.glyph_index(c)?;
        let advance = f32::from(face.glyph_hor_advance(id).unwrap_or(0)) * 1000.0
            / f32::from(face.units_per_em());
        Some(Glyph {
            font,
            id: id.0,
            advance,
            text: text.to_string(),
        })
    }

    /// A character outside Arabic: the style's font, else the Arabic one, else `?`.
    fn latin(&self, c: char, style: Style) -> Vec<Glyph> {
        let font = match style {
            Style::Regular => REGULAR,
            Style::Bold => BOLD,
        };
        let text = c.to_string();
        self.glyph(font, c, &text)
            .or_else(|| self.glyph(ARABIC, c, &text))
            .or_else(|| self.glyph(font, '?', "?"))
            .into_iter()
            .collect()
    }

    /// `text` as glyphs in visual order: left to right, Arabic stretches joined and turned
    /// right to left within the line (the page's direction is left to right).
    fn shape(&self, text: &str, style: Style) -> Vec<Glyph> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::with_capacity(chars.len());
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if is_arabic_letter(c) {
                let end = arabic_run_end(&chars, i);
                out.extend(self.arabic(chars.get(i..end).unwrap_or_default()));
                i = end;
            } else {
                out.extend(self.latin(c, style));
                i += 1;
            }
        }
        out
    }

    /// An Arabic stretch: each letter in its joined form, the lam–alef ligatures, then all in
    /// reverse order. A vowel mark thus comes just before its letter, where Noto's marks
    /// (drawn to the right of their origin, advancing nothing) fall on the letter.
    fn arabic(&self, chars: &[char]) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(chars.len());
        for (form, text) in join(chars) {
            let glyph = self.glyph(ARABIC, form, &text).or_else(|| {
                text.chars()
                    .next()
                    .and_then(|c| self.glyph(ARABIC, c, &text))
            });
            match glyph {
                Some(g) => out.push(g),
                None => out.extend(text.chars().flat_map(|c| self.latin(c, Style::Regular))),
            }
        }
        out.reverse();
        out
    }

    /// How wide `text` is at `size`, in points.
    fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        self.shape(text, style)
            .iter()
            .map(|g| g.advance)
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` cut into lines no wider than `width`: between words, and inside a word only when
    /// the word alone is wider than the line.
    fn wrap(&self, text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, style, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let mut rest = word;
                while self.width(rest, style, size) > width {
                    // The longest head that fits, at least one character so that it ends.
                    let mut cut = rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i);
                    for (i, _) in rest.char_indices().skip(2) {
                        if self.width(rest.get(..i).unwrap_or(rest), style, size) > width {
                            break;
                        }
                        cut = i;
                    }
                    let Some((head, tail)) = rest.split_at_checked(cut) else {
                        break;
                    };
                    lines.push(head.to_string());
                    rest = tail;
                }
                line = rest.to_string();
            }
            lines.push(line);
        }
        lines
    }
}

/// An Arabic letter or sign that the joiner handles as part of a right-to-left stretch (the
/// Arabic digits are left to right, like ours).
fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
        && !matches!(c, '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}')
}

/// Where the right-to-left stretch starting at `start` ends: it takes the Arabic letters and
/// the spaces between them, and stops before a space that no Arabic letter follows.
fn arabic_run_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        if is_arabic_letter(c) {
            end = i + 1;
        } else if !(c == ' ' || c == '\u{200C}' || c == '\u{200D}') {
            break;
        }
        i += 1;
    }
    end
}

/// The letters U+0621–U+064A that have presentation forms, in the order of their forms at
/// U+FE80–U+FEF4, with how many each has: 1 (isolated: it never joins), 2 (isolated, final:
/// it joins only the letter before it), 4 (isolated, final, initial, medial).
const FORMS: [(char, u32); 36] = [
    ('ء', 1),
    ('آ', 2),
    ('أ', 2),
    ('ؤ', 2),
    ('إ', 2),
    ('ئ', 4),
    ('ا', 2),
    ('ب', 4),
    ('ة', 2),
    ('ت', 4),
    ('ث', 4),
    ('ج', 4),
    ('ح', 4),
    ('خ', 4),
    ('د', 2),
    ('ذ', 2),
    ('ر', 2),
    ('ز', 2),
    ('س', 4),
    ('ش', 4),
    ('ص', 4),
    ('ض', 4),
    ('ط', 4),
    ('ظ', 4),
    ('ع', 4),
    ('غ', 4),
    ('ف', 4),
    ('ق', 4),
    ('ك', 4),
    ('ل', 4),
    ('م', 4),
    ('ن', 4),
    ('ه', 4),
    ('و', 2),
    ('ى', 2),
    ('ي', 4),
];

/// The first presentation form of `c` (its isolated form) and how many forms it has.
fn forms(c: char) -> Option<(u32, u32)> {
    let mut code = 0xFE80;
    for (letter, n) in FORMS {
        if letter == c {
            return Some((code, n));
        }
        code += n;
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Joining {
    /// Joins on both sides.
    Dual,
    /// Joins only the letter before it (on its right).
    Right,
    /// The tatweel and the zero-width joiner: join on both sides, have no forms.
    Causing,
    /// Vowel marks: sit on a letter, do not break its joining.
    Transparent,
    None,
}

impl Joining {
    fn joins_next(self) -> bool {
        matches!(self, Joining::Dual | Joining::Causing)
    }

    fn joins_previous(self) -> bool {
        matches!(self, Joining::Dual | Joining::Right | Joining::Causing)
    }
}

fn joining(c: char) -> Joining {
    match c {
        '\u{0640}' | '\u{200D}' => Joining::Causing,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'
        | '\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' => Joining::Transparent,
        // Letters without presentation forms here are shown alone, so they join nothing.
        c => match forms(c) {
            Some((_, 4)) => Joining::Dual,
            Some((_, 2)) => Joining::Right,
            _ => Joining::None,
        },
    }
}

/// The lam–alef ligatures (isolated; the final form follows): lam with alef madda, hamza
/// above, hamza below, plain alef.
fn lam_alef(alef: char) -> Option<u32> {
    match alef {
        'آ' => Some(0xFEF5),
        'أ' => Some(0xFEF7),
        'إ' => Some(0xFEF9),
        'ا' => Some(0xFEFB),
        _ => None,
    }
}

/// Each letter of an Arabic stretch (logical order) in the form its neighbours call for, with
/// the text it stands for.
fn join(chars: &[char]) -> Vec<(char, String)> {
    let kinds: Vec<Joining> = chars.iter().map(|&c| joining(c)).collect();
    // The nearest letter before and after `i` that is not a mark.
    let neighbour = |i: usize, forward: bool| -> Joining {
        let mut j = i;
        loop {
            j = if forward {
                j + 1
            } else if let Some(p) = j.checked_sub(1) {
                p
            } else {
                return Joining::None;
            };
            match kinds.get(j) {
                Some(Joining::Transparent) => continue,
                Some(k) => return *k,
                None => return Joining::None,
            }
        }
    };
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while let (Some(&c), Some(&kind)) = (chars.get(i), kinds.get(i)) {
        let after_joiner = neighbour(i, false).joins_next() && kind.joins_previous();
        if c == 'ل'
            && let Some(&alef) = chars.get(i + 1)
            && let Some(code) = lam_alef(alef)
        {
            let form = code + u32::from(after_joiner);
            // Its text in visual order, alef first: readers turn right-to-left text back
            // character by character when they extract it (poppler's pdftotext does).
            out.push((char::from_u32(form).unwrap_or(c), format!("{alef}{c}")));
            i += 2;
            continue;
        }
        let before_joiner = kind.joins_next() && neighbour(i, true).joins_previous();
        let form = match forms(c) {
            Some((first, n)) => {
                let offset = match (after_joiner, before_joiner) {
                    (false, false) => 0,
                    (true, false) => 1,
                    (false, true) => 2,
                    (true, true) => 3,
                };
                char::from_u32(first + offset.min(n - 1)).unwrap_or(c)
            }
            None => c,
        };
        out.push((form, c.to_string()));
        i += 1;
    }
    out
}

/// The pages as they are laid out, top to bottom.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the last page.
    y: f32,
}

impl Layout<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Opens a page unless `height` still fits on this one.
    fn need(&mut self, height: f32) {
        if self.pages.is_empty() || self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if self.pages.is_empty() {
            self.new_page();
        }
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// One line of text with its baseline `size` under `top`.
    fn text(&mut self, x: f32, top: f32, style: Style, size: f32, text: &str) {
        let glyphs = self.fonts.shape(text, style);
        self.push(Op::Text {
            x,
            y: top - size,
            size,
            glyphs,
            text: text.to_string(),
        });
    }

    /// Wrapped lines across the content's width.
    fn paragraph(&mut self, style: Style, size: f32, leading: f32, text: &str) {
        for line in self.fonts.wrap(text, style, size, CONTENT_WIDTH) {
            self.need(leading);
            let top = self.y;
            self.text(MARGIN, top, style, size, &line);
            self.y -= leading;
        }
    }

    /// The height the start of `block` needs, to keep a heading with what follows it.
    fn first_height(&self, block: Option<&Block>) -> f32 {
        match block {
            Some(Block::Table { widths, head, rows }) => {
                let widths = scaled(widths);
                let head = self.row_lines(&widths, head, Style::Bold);
                let first = rows.first().map_or(0.0, |r| {
                    row_height(&self.row_lines(&widths, r, Style::Regular))
                });
                row_height(&head) + first
            }
            Some(Block::Line(_)) => 13.0,
            _ => 0.0,
        }
    }

    fn row_lines(&self, widths: &[f32], cells: &[String], style: Style) -> Vec<Vec<String>> {
        // A row as tall as a page would never fit: its cells are cut with an ellipsis.
        let max = (((TOP - BOTTOM) / 2.0 - 2.0 * CELL_PAD) / CELL_LEADING).max(1.0) as usize;
        cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| {
                let mut lines =
                    self.fonts
                        .wrap(cell, style, CELL_SIZE, (w - 2.0 * CELL_PAD).max(1.0));
                if lines.len() > max {
                    lines.truncate(max);
                    if let Some(last) = lines.last_mut() {
                        last.push('…');
                    }
                }
                lines
            })
            .collect()
    }

    fn row(&mut self, widths: &[f32], lines: &[Vec<String>], style: Style) {
        let height = row_height(lines);
        let total: f32 = widths.iter().sum();
        if style == Style::Bold {
            self.push(Op::Fill {
                x: MARGIN,
                y: self.y - height,
                w: total,
                h: height,
                gray: 0.9,
            });
        }
        let mut x = MARGIN;
        for (cell, w) in lines.iter().zip(widths) {
            let mut top = self.y - CELL_PAD;
            for line in cell {
                self.text(x + CELL_PAD, top, style, CELL_SIZE, line);
                top -= CELL_LEADING;
            }
            x += w;
        }
        self.y -= height;
        self.push(Op::Rule {
            x: MARGIN,
            y: self.y,
            w: total,
            width: if style == Style::Bold { 0.8 } else { 0.3 },
            gray: if style == Style::Bold { 0.2 } else { 0.7 },
        });
    }

    fn table(&mut self, widths: &[f32], head: &[String], rows: &[Vec<String>]) {
        let widths = scaled(widths);
        let head_lines = self.row_lines(&widths, head, Style::Bold);
        let head_height = row_height(&head_lines);
        let mut first = true;
        for row in rows {
            let lines = self.row_lines(&widths, row, Style::Regular);
            let height = row_height(&lines);
            if first || self.y - height < BOTTOM {
                // A table starts, or goes on, under its head row, never with a cut row.
                self.need(head_height + height);
                self.row(&widths, &head_lines, Style::Bold);
                first = false;
            }
            self.row(&widths, &lines, Style::Regular);
        }
        if rows.is_empty() {
            self.need(head_height);
            self.row(&widths, &head_lines, Style::Bold);
        }
        self.y -= 8.0;
    }

    /// The marking at the head and foot of every page, and the page's label at its foot.
    fn frame(&mut self, marking: &str, page_label: &dyn Fn(usize, usize) -> String) {
        let total = self.pages.len();
        let marking_width = self.fonts.width(marking, Style::Bold, 8.0);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let label = page_label(i + 1, total);
            let label_width = self.fonts.width(&label, Style::Regular, 8.0);
            let x = (WIDTH - marking_width) / 2.0;
            for y in [HEIGHT - 28.0, 22.0] {
                page.push(Op::Text {
                    x,
                    y,
                    size: 8.0,
                    glyphs: self.fonts.shape(marking, Style::Bold),
                    text: marking.to_string(),
                });
            }
            page.push(Op::Text {
                x: WIDTH - MARGIN - label_width,
                y: 22.0,
                size: 8.0,
                glyphs: self.fonts.shape(&label, Style::Regular),
                text: label,
            });
        }
    }
}

/// The columns' widths, narrowed together when the page cannot hold them.
fn scaled(widths: &[f32]) -> Vec<f32> {
    let total: f32 = widths.iter().sum();
    let k = if total > CONTENT_WIDTH {
        CONTENT_WIDTH / total
    } else {
        1.0
    };
    widths.iter().map(|w| w * k).collect()
}

fn row_height(lines: &[Vec<String>]) -> f32 {
    let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    n as f32 * CELL_LEADING + 2.0 * CELL_PAD
}

/// The pages of a report, laid out with their frames.
fn layout(fonts: &Fonts, r: &Report) -> Vec<Vec<Op>> {
    let mut l = Layout {
        fonts,
        pages: Vec::new(),
        y: TOP,
    };
    l.new_page();
    l.paragraph(Style::Bold, 16.0, 21.0, r.title);
    l.paragraph(Style::Regular, 10.0, 14.0, r.subtitle);
    l.y -= 10.0;
    for (i, block) in r.blocks.iter().enumerate() {
        match block {
            Block::Heading(h) => {
                let next = l.first_height(r.blocks.get(i + 1));
                l.need(24.0 + next);
                l.y -= 6.0;
                l.paragraph(Style::Bold, 12.0, 18.0, h);
            }
            Block::Line(text) => l.paragraph(Style::Regular, 9.5, 13.0, text),
            Block::Table { widths, head, rows } => l.table(widths, head, rows),
        }
    }
    l.frame(r.marking, r.page_label);
    l.pages
}

/// The report as PDF bytes.
pub fn report(r: &Report) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let pages = layout(&fonts, r);
    write(&pages, r.title)
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A subset's name starts with six capitals of its own (PDF 9.6.4), from its glyphs.
fn subset_tag(ids: &[u16]) -> String {
    let mut h: u32 = 2_166_136_261;
    for id in ids {
        h = (h ^ u32::from(*id)).wrapping_mul(16_777_619);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

fn write(pages: &[Vec<Op>], title: &str) -> Result<Vec<u8>, PdfError> {
    // The glyphs each font must carry, with the text each stands for.
    let mut used: [BTreeMap<u16, String>; 3] = Default::default();
    for op in pages.iter().flatten() {
        if let Op::Text { glyphs, .. } = op {
            for g in glyphs {
                if let Some(map) = used.get_mut(g.font) {
                    map.entry(g.id).or_insert_with(|| g.text.clone());
                }
            }
        }
    }
    let mut pdf = Pdf::new();
    let mut next = Ref::new(1);
    let catalog = next.bump();
    let tree = next.bump();
    let info = next.bump();
    // Per font: its glyphs renumbered in the subset, and its dictionary's reference.
    let mut embedded: Vec<Option<(subsetter::GlyphRemapper, Ref)>> = Vec::new();
    for (font, glyphs) in used.iter().enumerate() {
        let (Some((name, data)), false) = (FONTS.get(font), glyphs.is_empty()) else {
            embedded.push(None);
            continue;
        };
        let face = ttf_parser::Face::parse(data, 0).map_err(|_| PdfError::Font(name))?;
        let mut remapper = subsetter::GlyphRemapper::new();
        for id in glyphs.keys() {
            remapper.remap(*id);
        }
        let subset = subsetter::subset(data, 0, &remapper)
            .map_err(|e| PdfError::Subset(name, format!("{e:?}")))?;
        let ids: Vec<u16> = glyphs.keys().copied().collect();
        let base = format!("{}+{name}", subset_tag(&ids));
        let scale = 1000.0 / f32::from(face.units_per_em());
        let (type0, cid, descriptor, file, cmap) = (
            next.bump(),
            next.bump(),
            next.bump(),
            next.bump(),
            next.bump(),
        );
        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        // The subset's glyph ids are the CIDs (Identity), in the order the remapper gave.
        let widths: Vec<f32> = remapper
            .remapped_gids()
            .map(|old| {
                f32::from(
                    face.glyph_hor_advance(ttf_parser::GlyphId(old))
                        .unwrap_or(0),
                ) * scale
            })
            .collect();
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(system)
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font.widths().consecutive(0, widths);
        cid_font.finish();
        let bbox = face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(Name(base.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(face.ascender()) * scale)
            .descent(f32::from(face.descender()) * scale)
            .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * scale)
            .stem_v(if font == BOLD { 140.0 } else { 80.0 })
            .font_file2(file);
        pdf.stream(file, &deflate(&subset))
            .filter(Filter::FlateDecode);
        let mut to_unicode = UnicodeCmap::new(Name(b"Custom"), system);
        for (old, text) in glyphs {
            if let Some(new) = remapper.get(*old) {
                to_unicode.pair_with_multiple(new, text.chars());
            }
        }
        pdf.stream(cmap, &deflate(&to_unicode.finish()))
            .filter(Filter::FlateDecode);
        embedded.push(Some((remapper, type0)));
    }
    let mut page_ids = Vec::new();
    for ops in pages {
        let (page_id, content_id) = (next.bump(), next.bump());
        page_ids.push(page_id);
        let mut content = Content::new();
        for op in ops {
            match op {
                Op::Text {
                    x, y, size, glyphs, ..
                } => {
                    content.begin_text();
                    content.next_line(*x, *y);
                    show(&mut content, glyphs, *size, &embedded);
                    content.end_text();
                }
                Op::Fill { x, y, w, h, gray } => {
                    content.save_state();
                    content.set_fill_gray(*gray);
                    content.rect(*x, *y, *w, *h);
                    content.fill_nonzero();
                    content.restore_state();
                }
                Op::Rule {
                    x,
                    y,
                    w,
                    width,
                    gray,
                } => {
                    content.save_state();
                    content.set_stroke_gray(*gray);
                    content.set_line_width(*width);
                    content.move_to(*x, *y);
                    content.line_to(x + w, *y);
                    content.stroke();
                    content.restore_state();
                }
            }
        }
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (font, e) in embedded.iter().enumerate() {
            if let Some((_, type0)) = e {
                fonts.pair(Name(font_name(font).as_bytes()), *type0);
            }
        }
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &deflate(&content.finish()))
            .filter(Filter::FlateDecode);
    }
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    pdf.document_info(info).title(TextStr(title));
    Ok(pdf.finish())
}

fn font_name(font: usize) -> String {
    format!("F{font}")
}

/// Glyphs shown one run per font, each by its id in the font's subset, on two bytes.
fn show(
    content: &mut Content,
    glyphs: &[Glyph],
    size: f32,
    embedded: &[Option<(subsetter::GlyphRemapper, Ref)>],
) {
    for run in glyphs.chunk_by(|a, b| a.font == b.font) {
        let Some(font) = run.first().map(|g| g.font) else {
            continue;
        };
        let Some(Some((remapper, _))) = embedded.get(font) else {
            continue;
        };
        let bytes: Vec<u8> = run
            .iter()
            .flat_map(|g| remapper.get(g.id).unwrap_or(0).to_be_bytes())
            .collect();
        content.set_font(Name(font_name(font).as_bytes()), size);
        content.show(Str(&bytes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULFULDE: &str = "Ɓoolo Ɗiallo ŋaari ɛ ɔ";
    const ARABIC_NAME: &str = "محمد الأمين";

    fn label(n: usize, total: usize) -> String {
        format!("Page {n} / {total}")
    }

    /// A report long enough for three pages, with names in both scripts and a long cell.
    fn blocks(rows: usize) -> Vec<Block> {
        let names = [FULFULDE, ARABIC_NAME, "Ƴero Ñaaɗo", "مُحَمَّد بْن عَلِي"];
        let long = "une cellule assez longue pour revenir à la ligne dans sa colonne";
        vec![
            Block::Heading("Personnes".into()),
            Block::Table {
                widths: vec![40.0, 200.0, 120.0, 200.0],
                head: vec!["N°".into(), "Nom".into(), "Lieu".into(), "Note".into()],
                rows: (0..rows)
                    .map(|i| {
                        vec![
                            (i + 1).to_string(),
                            names[i % names.len()].to_string(),
                            "Mopti".to_string(),
                            if i % 5 == 0 { long } else { "—" }.to_string(),
                        ]
                    })
                    .collect(),
            },
            Block::Line("Fin du rapport.".into()),
        ]
    }

    fn texts(page: &[Op]) -> Vec<(&str, f32, f32)> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, x, y, .. } => Some((text.as_str(), *x, *y)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_three_page_report_names_every_script_and_marks_every_page() {
        let blocks = blocks(100);
        let r = Report {
            title: "Rapport de situation — région de Mopti",
            subtitle: "samedi 5 décembre 2026",
            marking: "Diffusion restreinte",
            page_label: &label,
            blocks: &blocks,
        };
        let fonts = Fonts::load().unwrap();
        let pages = layout(&fonts, &r);
        assert_eq!(pages.len(), 3);
        for (i, page) in pages.iter().enumerate() {
            let t = texts(page);
            let marks = t.iter().filter(|x| x.0 == "Diffusion restreinte").count();
            assert_eq!(
                marks,
                2,
                "the marking at the head and foot of page {}",
                i + 1
            );
            let own = format!("Page {} / 3", i + 1);
            assert!(t.iter().any(|x| x.0 == own), "{own}");
            // Nothing runs into the margins but the frame.
            for (text, _, y) in &t {
                assert!(
                    *text == "Diffusion restreinte"
                        || text.starts_with("Page ")
                        || (BOTTOM..TOP).contains(y),
                    "{text} at {y}"
                );
            }
        }
        // The table goes on under its head row.
        for page in pages.iter().skip(1) {
            let t = texts(page);
            let first = t.iter().find(|x| x.0 != "Diffusion restreinte");
            assert_eq!(first.map(|x| x.0), Some("N°"));
        }
        // No letter fell back to `?`.
        let q = fonts.glyph(REGULAR, '?', "?").unwrap().id;
        for op in pages.iter().flatten() {
            if let Op::Text { glyphs, text, .. } = op {
                assert!(
                    glyphs
                        .iter()
                        .all(|g| g.font != REGULAR || g.id != q || text.contains('?')),
                    "{text}"
                );
            }
        }

        let pdf = report(&r).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let raw = String::from_utf8_lossy(&pdf);
        assert!(raw.trim_end().ends_with("%%EOF"));
        assert_eq!(
            raw.matches("/Type /Page\n").count()
                + raw.matches("/Type /Page ").count()
                + raw.matches("/Type /Page/").count(),
            3,
            "{}",
            raw.matches("/Type /Page").count()
        );
        assert_eq!(
            raw.matches("/FontFile2").count(),
            3,
            "regular, bold and Arabic, embedded"
        );
        assert!(raw.contains("+NotoSansArabic-Regular") && raw.contains("/Identity-H"));
        // The ToUnicode maps give the names back: their letters are there.
        let streams = inflated(&pdf);
        let cmaps: Vec<&String> = streams
            .iter()
            .filter(|s| s.contains("beginbfchar"))
            .collect();
        assert_eq!(cmaps.len(), 3, "{} streams", streams.len());
        for letter in ['Ɓ', 'Ɗ', 'ŋ', 'ɛ', 'ɔ', 'Ñ', 'ɗ', 'م'] {
            let hex = format!("<{:04X}>", u32::from(letter));
            assert!(
                cmaps.iter().any(|c| c.contains(&hex)),
                "{letter} in a ToUnicode map"
            );
        }
    }

    /// Every FlateDecode stream of the file, inflated.
    fn inflated(pdf: &[u8]) -> Vec<String> {
        use std::io::Read;
        let mut out = Vec::new();
        let mut rest = pdf;
        while let Some(at) = rest.windows(7).position(|w| w == b"stream\n") {
            let body = &rest[at + 7..];
            let end = body
                .windows(9)
                .position(|w| w == b"endstream")
                .unwrap_or(body.len());
            let mut text = Vec::new();
            if flate2::read::ZlibDecoder::new(&body[..end])
                .read_to_end(&mut text)
                .is_ok()
            {
                out.push(String::from_utf8_lossy(&text).into_owned());
            }
            rest = body.get(end + 9..).unwrap_or_default();
        }
        out
    }

    /// The presentation forms the joiner gives, in visual order (left to right).
    fn check(text: &str, visual: &str) {
        let fonts = Fonts::load().unwrap();
        let glyphs = fonts.shape(text, Style::Regular);
        let want: Vec<u16> = visual
            .chars()
            .map(|c| {
                fonts
                    .glyph(ARABIC, c, "")
                    .or_else(|| fonts.glyph(REGULAR, c, ""))
                    .unwrap()
                    .id
            })
            .collect();
        let got: Vec<u16> = glyphs.iter().map(|g| g.id).collect();
        assert_eq!(got, want, "{text}");
    }

    #[test]
    fn arabic_letters_join_and_run_right_to_left() {
        // meem initial, hah medial, meem medial, dal final, read from the left: reversed.
        check("محمد", "\u{FEAA}\u{FEE4}\u{FEA4}\u{FEE3}");
        // Alef, lam–alef with hamza (final: the lam joins the alef before it? no: alef does
        // not join forward), meem, yeh, noon.
        check("الأمين", "\u{FEE6}\u{FEF4}\u{FEE3}\u{FEF7}\u{FE8D}");
        // A letter alone, and one that never joins.
        check("ب", "\u{FE8F}");
        check("ءب", "\u{FE8F}\u{FE80}");
        // Latin around Arabic stays left to right.
        check("Ba بب x", "Ba \u{FE90}\u{FE91} x");
    }

    #[test]
    fn the_forms_table_ends_where_unicode_does() {
        assert_eq!(forms('ي'), Some((0xFEF1, 4)));
        assert_eq!(forms('ء'), Some((0xFE80, 1)));
        assert_eq!(forms('a'), None);
    }

    #[test]
    fn lines_wrap_within_their_width() {
        let fonts = Fonts::load().unwrap();
        for (text, width) in [
            ("une cellule assez longue pour revenir à la ligne", 60.0),
            ("Ɓoolo Ɗiallo ŋaari ɛ ɔ محمد الأمين", 50.0),
            ("unmotbienpluslongqueladeuxièmecolonne", 30.0),
            ("", 30.0),
        ] {
            let lines = fonts.wrap(text, Style::Regular, 9.0, width);
            assert!(!lines.is_empty());
            for l in &lines {
                assert!(
                    fonts.width(l, Style::Regular, 9.0) <= width || l.chars().count() == 1,
                    "{l:?}"
                );
            }
            let joined: String = lines.concat();
            assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
        }
    }
}
