//! Streamed uploads: a body longer than one part goes up as a multipart upload,
//! a bounded number of parts in flight, aborted on any failure.

use super::errors::{conflict_or, map_err};
use super::{with_precondition, S3Storage};
use crate::engine::error::Result;
use crate::engine::storage::{BodyStream, Precondition, PutRequest, StreamedPut};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use futures::stream::{FuturesUnordered, StreamExt};

/// Size of a multipart upload's parts: a streamed body longer than this goes up
/// as a multipart upload (S3's minimum part is 5 MiB).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts of one upload in flight at once: a streamed upload holds at most
/// `PARTS_IN_FLIGHT + 1` parts in memory.
const PARTS_IN_FLIGHT: usize = 2;

impl S3Storage {
    /// Fill `buf` from `body` up to [`PART_SIZE`]; false once the body has ended.
    pub(super) async fn fill_part(
        body: &mut BodyStream,
        buf: &mut BytesMut,
        carry: &mut Option<Bytes>,
    ) -> Result<bool> {
        loop {
            let chunk = match carry.take() {
                Some(c) => c,
                None => match body.next().await {
                    Some(c) => c?,
                    None => return Ok(false),
                },
            };
            let room = PART_SIZE - buf.len();
            if chunk.len() >= room {
                buf.extend_from_slice(&chunk[..room]);
                if chunk.len() > room {
                    *carry = Some(chunk.slice(room..));
                }
                return Ok(true);
            }
            buf.extend_from_slice(&chunk);
        }
    }

    async fn upload_part(
        client: Client,
        bucket: String,
        key: String,
        upload_id: String,
        number: i32,
        part: Bytes,
    ) -> Result<CompletedPart> {
        let out = client
            .upload_part()
            .bucket(bucket)
            .key(&key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(part))
            .send()
            .await
            .map_err(|e| map_err("UploadPart", &key, e))?;
        Ok(CompletedPart::builder()
            .part_number(number)
            .set_e_tag(out.e_tag().map(str::to_string))
            .build())
    }

    /// The parts of a multipart upload already created: `first` then the rest of
    /// `body`, [`PARTS_IN_FLIGHT`] at a time; the completed parts in order.
    async fn send_parts(
        &self,
        key: &str,
        upload_id: &str,
        first: Bytes,
        mut carry: Option<Bytes>,
        body: &mut BodyStream,
    ) -> Result<(Vec<CompletedPart>, u64)> {
        let mut in_flight = FuturesUnordered::new();
        let mut done = Vec::new();
        let mut bytes = first.len() as u64;
        let mut next = Some(first);
        let mut number = 0;
        while let Some(part) = next.take() {
            number += 1;
            in_flight.push(Self::upload_part(
                self.client.clone(),
                self.bucket.clone(),
                key.to_string(),
                upload_id.to_string(),
                number,
                part,
            ));
            while in_flight.len() >= PARTS_IN_FLIGHT {
                if let Some(p) = in_flight.next().await {
                    done.push(p?);
                }
            }
            let mut buf = BytesMut::with_capacity(PART_SIZE);
            let more = Self::fill_part(body, &mut buf, &mut carry).await?;
            if !buf.is_empty() {
                bytes += buf.len() as u64;
                next = Some(buf.freeze());
            }
            if !more && next.is_none() {
                break;
            }
        }
        while let Some(p) = in_flight.next().await {
            done.push(p?);
        }
        done.sort_by_key(|p| p.part_number());
        Ok((done, bytes))
    }

    /// A body over [`PART_SIZE`]: create, parts, complete; aborted on any failure
    /// (so no orphaned parts are billed).
    pub(super) async fn multipart(
        &self,
        key: &str,
        req: PutRequest,
        first: Bytes,
        carry: Option<Bytes>,
        body: &mut BodyStream,
    ) -> Result<StreamedPut> {
        let precondition = req.precondition.clone();
        let mut create = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .set_metadata(Some(req.metadata.into_iter().collect()));
        if let Some(ct) = req.content_type {
            create = create.content_type(ct);
        }
        if let Some(ce) = req.content_encoding {
            create = create.content_encoding(ce);
        }
        let created = create
            .send()
            .await
            .map_err(|e| map_err("CreateMultipartUpload", key, e))?;
        let upload_id = created.upload_id().unwrap_or_default().to_string();
        let result = match self.send_parts(key, &upload_id, first, carry, body).await {
            Ok((parts, bytes)) => {
                let requests = parts.len() as u64 + 2;
                let complete = self
                    .client
                    .complete_multipart_upload()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    );
                // The precondition is checked when the upload completes (S3's rule).
                with_precondition!(complete, &precondition)
                    .send()
                    .await
                    .map(|_| StreamedPut { bytes, requests })
                    .map_err(|e| {
                        let e = map_err("CompleteMultipartUpload", key, e);
                        conflict_or(precondition.as_ref(), key, e)
                    })
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
        }
        result
    }
}
