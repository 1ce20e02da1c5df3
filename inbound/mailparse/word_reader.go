package mailparse

import (
	"io"
	"mime"
	"net/mail"

	"github.com/emersion/go-message"
)

// wordReader is a charset decoder for one encoded word. mime.WordDecoder
// copies the decoder into its buffer with io.Copy, which allocates 32 KiB
// for a source without a WriteTo method: more than a whole 20 KB mail, for
// a word of a few dozen bytes, and once per encoded word. WriteTo does
// the same copy through a small buffer.
type wordReader struct{ r io.Reader }

func (w wordReader) Read(p []byte) (int, error) { return w.r.Read(p) }

// WriteTo copies until the decoder's EOF, as io.Copy would.
func (w wordReader) WriteTo(dst io.Writer) (int64, error) {
	var buf [256]byte
	var n int64
	for {
		k, err := w.r.Read(buf[:])
		if k > 0 {
			m, werr := dst.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
			if m != k {
				return n, io.ErrShortWrite
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// addressParser is net/mail's parser as go-message's ParseAddressList sets
// it up (go-message's charsets), with each decoder a wordReader.
var addressParser = &mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(label string, input io.Reader) (io.Reader, error) {
		r, err := message.CharsetReader(label, input)
		if err != nil {
			return nil, err
		}
		return wordReader{r}, nil
	},
}}

// parseAddresses is go-message's mail.ParseAddressList without its 32 KiB
// copy buffer per encoded word.
func parseAddresses(list string) ([]*mail.Address, error) {
	return addressParser.ParseList(list)
}
