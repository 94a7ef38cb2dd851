package urlsig

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors from Verify, SignPath, CheckSignature and the
// decoders match exactly one of them under [errors.Is]; most are wrapped
// with a short detail. ([New] reports configuration errors that match
// none.) No error ever contains key material.
var (
	// ErrMalformed reports a path that does not have the shape
	// {prefix}/{signature}/{options}/{asset}[.ext], or (after the
	// signature was found valid) an asset or extension that does not
	// decode. It is wrapped with detail.
	ErrMalformed = errors.New("urlsig: malformed path")

	// ErrBadSignature reports a signature segment that is not a valid
	// MAC of the rest of the path under any configured key, including a
	// signature of the wrong length or encoding.
	ErrBadSignature = errors.New("urlsig: bad signature")

	// ErrExpired reports a correctly signed URL whose expiry has passed.
	// The HTTP layer is expected to answer 410 Gone.
	ErrExpired = errors.New("urlsig: expired")

	// ErrBadOptions reports an options segment that is not the canonical
	// spelling of a valid option set, or an invalid [Options] value given
	// to the signer. It is wrapped with detail.
	ErrBadOptions = errors.New("urlsig: non-canonical or invalid options")
)

// Preallocated errors for the Verify hot path, so that rejecting junk
// traffic does not allocate.
var (
	errTooLong      = fmt.Errorf("%w: path longer than %d bytes", ErrMalformed, MaxPathLen)
	errPrefix       = fmt.Errorf("%w: path does not start with the route prefix", ErrMalformed)
	errFewSegments  = fmt.Errorf("%w: too few path segments", ErrMalformed)
	errManySegments = fmt.Errorf("%w: too many path segments", ErrMalformed)
	errEmptySegment = fmt.Errorf("%w: empty path segment", ErrMalformed)
	errSigLength    = fmt.Errorf("%w: signature has the wrong length", ErrBadSignature)
	errSigEncoding  = fmt.Errorf("%w: signature is not canonical base64url", ErrBadSignature)

	errAssetEmpty    = fmt.Errorf("%w: empty asset", ErrMalformed)
	errAssetTooLong  = fmt.Errorf("%w: asset longer than %d bytes", ErrMalformed, MaxAssetLen)
	errAssetEncoding = fmt.Errorf("%w: asset is not canonical unpadded base64url", ErrMalformed)
	errExt           = fmt.Errorf("%w: extension must be \".\" followed by 1 to %d characters [a-z0-9]", ErrMalformed, MaxExtLen)
)
