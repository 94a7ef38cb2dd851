package main

import (
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// flavourRows are the rows of TestDoctorAgainstFake for each flavour of
// the fake (fotowebtest.Flavours): with the service application, and
// with a login of the read-only user. admin and user are what the default
// fake's report says for each; a flavour changes what its documentation
// says it changes, and the doctor must see it.
func flavourRows(admin, user map[string]want) []doctorRow {
	var rows []doctorRow
	for _, fl := range fotowebtest.Flavours {
		pagingKeys, onePage, queryLinks := "[first last next prev]", "null", "[&p=]"
		ccRefresh, previewTokens, version := "false", "41", "8.2.1412.0"
		switch fl {
		case fotowebtest.FlavourSaaS2024:
			pagingKeys, onePage = "[count first index last next prev totalPages]", "object"
		case fotowebtest.FlavourSaaS2023:
			ccRefresh = "true"
		case fotowebtest.FlavourOnPrem80:
			queryLinks, previewTokens, version = "[;p=]", "0", "8.0.0.0"
		}
		descriptor := map[string]string{"productVersion": version}
		paging := want{checkOK, map[string]string{
			"list.pagingKeys": pagingKeys, "list.pageLinkForms": "[;p=]", "pageLinkFormsWithQuery": queryLinks,
			"emptyList.pagingOnFirstPage": onePage, "emptyList.assets": "0", "assetsSeen": "41", "assetsWithPreviewToken": previewTokens,
		}}
		adminWant := merge(admin, map[string]want{
			"token":      {checkOK, map[string]string{"refreshTokenInAnswer": ccRefresh}},
			"descriptor": {checkOK, descriptor},
			"paging":     paging,
		})
		viewerWant := merge(user, map[string]want{
			"descriptor": {checkOK, map[string]string{"user": fotowebtest.ReadOnlyUser, "productVersion": version}},
			"read_only":  {checkOK, map[string]string{"user": "<nil>"}},
			"paging":     paging,
		})
		if !fl.HasPreviewToken() {
			// No previewToken: only the access token opens previews. The
			// admin's is refused for URLs; the read-only user's may go.
			adminWant = merge(adminWant, map[string]want{"preview_auth": {checkWarn, map[string]string{"policy": "unknown"}}})
			viewerWant = merge(viewerWant, map[string]want{"preview_auth": {checkWarn, map[string]string{"policy": "access"}}})
		}
		rows = append(rows,
			doctorRow{name: "flavour " + fl.String() + ", client credentials", opts: fotowebtest.Options{Flavour: fl},
				auth: authClientCredentials, want: adminWant},
			doctorRow{name: "flavour " + fl.String() + ", read-only user", opts: fotowebtest.Options{Flavour: fl, LoginUser: fotowebtest.ReadOnlyUser},
				auth: authUser, args: []string{"--check-rotation", "--check-export"},
				want: merge(viewerWant, map[string]want{
					"rotation": {checkOK, map[string]string{"rotated": "true", "newAccessTokenWorks": "true"}},
					"export":   {checkOK, map[string]string{"exported": "true", "publicURLStatus": "200"}},
				})},
		)
	}
	return rows
}
