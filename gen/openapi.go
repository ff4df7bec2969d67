// Package gen holds the code and documents generated from proto/ by
// `make generate`. Nothing under gen/ is edited by hand, except this file,
// which buf does not write.
package gen

import _ "embed"

// OpenAPI is the merged OpenAPI v2 document of every REST route.
//
//go:embed openapiv2/bookwell.swagger.json
var OpenAPI []byte
