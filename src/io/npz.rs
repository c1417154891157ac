//! .npz in and out through `ndarray-npy`: readers accept little-endian f4 and f8 in C or
//! Fortran order and convert (docs/design.md section 5); 0-d strings use numpy's '<U' dtype.

use std::fs::File;
use std::io::{Cursor, Read, Seek, Write};
use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use ndarray_npy::{
    NpzReader, NpzWriter, ReadDataError, ReadableElement, WritableElement, WriteDataError,
};
use py_literal::Value as PyValue;

use crate::error::bad_input;

/// A fixed-width numpy unicode string (dtype '<U32'), for the 0-d string keys of a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NpyStr(pub String);

const STR_WIDTH: usize = 32;

impl WritableElement for NpyStr {
    fn type_descriptor() -> PyValue {
        PyValue::String(format!("<U{STR_WIDTH}"))
    }
    fn write<W: Write>(&self, mut writer: W) -> Result<(), WriteDataError> {
        let mut chars: Vec<u32> = self.0.chars().map(|c| c as u32).take(STR_WIDTH).collect();
        chars.resize(STR_WIDTH, 0);
        for c in chars {
            writer.write_all(&c.to_le_bytes())?;
        }
        Ok(())
    }
    fn write_slice<W: Write>(slice: &[Self], mut writer: W) -> Result<(), WriteDataError> {
        for s in slice {
            s.write(&mut writer)?;
        }
        Ok(())
    }
}

impl ReadableElement for NpyStr {
    fn read_to_end_exact_vec<R: Read>(
        mut reader: R,
        type_desc: &PyValue,
        len: usize,
    ) -> Result<Vec<Self>, ReadDataError> {
        let width = match type_desc {
            PyValue::String(s)
                if s.starts_with("<U") || s.starts_with("=U") || s.starts_with("|U") =>
            {
                s[2..]
                    .parse::<usize>()
                    .map_err(|_| ReadDataError::WrongDescriptor(type_desc.clone()))?
            }
            _ => return Err(ReadDataError::WrongDescriptor(type_desc.clone())),
        };
        let mut buf = vec![0u8; width * 4 * len];
        reader
            .read_exact(&mut buf)
            .map_err(|_| ReadDataError::MissingData)?;
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest)?;
        if !rest.is_empty() {
            return Err(ReadDataError::ExtraBytes(rest.len()));
        }
        Ok(buf
            .chunks(width * 4)
            .map(|c| {
                NpyStr(
                    c.chunks(4)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .take_while(|&v| v != 0)
                        .filter_map(char::from_u32)
                        .collect(),
                )
            })
            .collect())
    }
}

/// The first of the element types `$ty` for which `$read` (an expression naming the type `T`)
/// succeeds, converted to an [`Arr`] of f64.
macro_rules! read_as_f64 {
    (|$t:ident| $read:expr; $($ty:ty),*) => {{
        let mut out = None;
        $(
            if out.is_none() {
                type $t = $ty;
                if let Ok(a) = $read {
                    out = Some(Arr { shape: a.shape().to_vec(), data: a.iter().map(|v| *v as f64).collect() });
                }
            }
        )*
        out
    }};
}

/// An .npz being built in memory, then written atomically.
pub struct NpzOut {
    w: NpzWriter<Cursor<Vec<u8>>>,
}

impl Default for NpzOut {
    fn default() -> Self {
        // A fixed timestamp (1980-01-01, the zip epoch): equal arrays give equal files.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default());
        NpzOut {
            w: NpzWriter::new_with_options(Cursor::new(Vec::new()), options),
        }
    }
}

impl NpzOut {
    /// A new empty archive.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add an array of any element type ndarray-npy writes (f32, f64, i64, bool, [`NpyStr`]).
    pub fn add<T: WritableElement>(
        &mut self,
        name: &str,
        shape: &[usize],
        data: Vec<T>,
    ) -> anyhow::Result<()> {
        let a = ArrayD::from_shape_vec(IxDyn(shape), data)?;
        self.w.add_array(name, &a)?;
        Ok(())
    }
    /// Add a 0-d string.
    pub fn add_str(&mut self, name: &str, s: &str) -> anyhow::Result<()> {
        self.add(name, &[], vec![NpyStr(s.to_string())])
    }
    /// Finish and write atomically.
    pub fn write(self, path: &Path) -> anyhow::Result<()> {
        let bytes = self.w.finish()?.into_inner();
        super::write_atomic(path, &bytes)
    }
}

/// A numeric array read from an .npz, converted to f64, with its shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Arr {
    /// Shape.
    pub shape: Vec<usize>,
    /// Elements in C order.
    pub data: Vec<f64>,
}

/// An .npz opened for reading; every error names the file.
pub struct NpzIn {
    path: String,
    names: Vec<String>,
    reader: NpzReader<Box<dyn ReadSeek>>,
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl NpzIn {
    /// Open an .npz file.
    pub fn open(path: &Path) -> anyhow::Result<NpzIn> {
        let f = File::open(path)
            .map_err(|e| bad_input(format!("cannot open {}: {e}", path.display())))?;
        Self::from_reader(Box::new(f), &path.display().to_string())
    }

    /// Read an .npz held in memory; `name` stands for the file in messages.
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> anyhow::Result<NpzIn> {
        Self::from_reader(Box::new(Cursor::new(bytes)), name)
    }

    fn from_reader(r: Box<dyn ReadSeek>, name: &str) -> anyhow::Result<NpzIn> {
        let mut reader = NpzReader::new(r)
            .map_err(|e| bad_input(format!("{name} is not a readable .npz file: {e}")))?;
        let names = reader
            .names()
            .map_err(|e| bad_input(format!("{name}: cannot list arrays: {e}")))?
            .into_iter()
            .map(|n| n.trim_end_matches(".npy").to_string())
            .collect();
        Ok(NpzIn {
            path: name.to_string(),
            names,
            reader,
        })
    }

    /// Names of the arrays it holds.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether it holds `name`.
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// A numeric array (f4, f8, integer or bool), as f64.
    pub fn array(&mut self, name: &str) -> anyhow::Result<Arr> {
        if !self.has(name) {
            return Err(bad_input(format!(
                "{}: array `{name}` is missing (it has: {})",
                self.path,
                self.names.join(", ")
            )));
        }
        if let Some(a) = read_as_f64!(|T| self.reader.by_name::<ndarray::OwnedRepr<T>, IxDyn>(name); f32, f64, i64, i32, u8)
        {
            return Ok(a);
        }
        if let Ok(a) = self.reader.by_name::<ndarray::OwnedRepr<bool>, IxDyn>(name) {
            return Ok(Arr {
                shape: a.shape().to_vec(),
                data: a.iter().map(|&v| f64::from(u8::from(v))).collect(),
            });
        }
        Err(bad_input(format!(
            "{}: array `{name}` has an unsupported dtype; expected little-endian float32/float64 (or integers/bool)",
            self.path
        )))
    }

    /// A 0-d (or 1-element) string, if present.
    pub fn string(&mut self, name: &str) -> Option<String> {
        if !self.has(name) {
            return None;
        }
        self.reader
            .by_name::<ndarray::OwnedRepr<NpyStr>, IxDyn>(name)
            .ok()
            .and_then(|a| a.iter().next().map(|s| s.0.clone()))
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Arr {
    /// Check the shape, naming the file and array on mismatch; `None` = any size on that axis.
    pub fn expect_shape(
        &self,
        file: &str,
        name: &str,
        want: &[Option<usize>],
    ) -> anyhow::Result<()> {
        let ok = self.shape.len() == want.len()
            && self
                .shape
                .iter()
                .zip(want)
                .all(|(s, w)| w.is_none_or(|w| w == *s));
        if ok {
            return Ok(());
        }
        let want_s: Vec<String> = want
            .iter()
            .map(|w| w.map_or("*".to_string(), |v| v.to_string()))
            .collect();
        Err(bad_input(format!(
            "{file}: array `{name}` has shape {:?}, expected ({})",
            self.shape,
            want_s.join(", ")
        )))
    }

    /// Fail on NaN or Inf, naming the file and array.
    pub fn expect_finite(&self, file: &str, name: &str) -> anyhow::Result<()> {
        match self.data.iter().position(|v| !v.is_finite()) {
            None => Ok(()),
            Some(i) => Err(bad_input(format!(
                "{file}: array `{name}` holds a non-finite value at flat index {i}"
            ))),
        }
    }
}

/// Read a numeric `.npy` file (little-endian f4/f8 or integers, C or Fortran order) as f64.
pub fn read_npy(path: &Path) -> anyhow::Result<Arr> {
    let bytes = std::fs::read(path)
        .map_err(|e| bad_input(format!("cannot open {}: {e}", path.display())))?;
    read_npy_bytes(&bytes, &path.display().to_string())
}

/// [`read_npy`] on bytes in memory; `name` stands for the file in messages.
pub fn read_npy_bytes(bytes: &[u8], name: &str) -> anyhow::Result<Arr> {
    use ndarray_npy::ReadNpyExt;
    if let Some(a) = read_as_f64!(|T| ArrayD::<T>::read_npy(Cursor::new(bytes)); f32, f64, i64, i32)
    {
        return Ok(a);
    }
    let why = match ArrayD::<f64>::read_npy(Cursor::new(bytes)) {
        Err(e) => e.to_string(),
        Ok(_) => unreachable!("f64 was tried above"),
    };
    Err(bad_input(format!(
        "{name} is not a readable .npy of little-endian float32/float64: {why}"
    )))
}
