// Package config reads the configuration a program already has into
// options for workspace.NewClient, in the manner of the AWS SDK's
// config.LoadDefaultConfig and with the vendor SDK's names, so that a
// program moving to this SDK changes nothing in its environment:
//
//	cfg, err := config.Load(ctx)                    // environment, credentials file, ECS metadata
//	c, err := workspace.NewClient(cfg.Options()...) // options given after these win
//	fmt.Println(cfg)                                // where each setting came from; no secret
//
// Load does every one-time read (the environment, the credentials file,
// the ECS metadata service's instance data, the project lookup at IAM)
// under its context; workspace.NewClient then does no I/O. Sources that
// refresh (an ID token file, an instance's temporary keys) are read again
// later, under the context of each call that needs them.
//
// The sources, in order, each filling only what the earlier ones left
// unset:
//
//   - the environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and
//     HUAWEICLOUD_SDK_SECURITY_TOKEN; HUAWEICLOUD_SDK_PROJECT_ID;
//     HUAWEICLOUD_SDK_REGION; HUAWEICLOUD_SDK_REGION_WORKSPACE_{REGION}
//     (the region upper-cased with "-" as "_": a comma-separated list of
//     endpoints, the first used); HUAWEICLOUD_SDK_IAM_ENDPOINT;
//     HUAWEICLOUD_SDK_IDP_ID with HUAWEICLOUD_SDK_ID_TOKEN_FILE (federated
//     ID-token credentials); HUAWEICLOUD_SDK_CREDENTIALS_FILE; and this
//     SDK's own HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT (an endpoint for any
//     region; the per-region variable wins over it),
//     HUAWEICLOUD_SDK_METADATA_ENDPOINT and HUAWEICLOUD_SDK_TOKEN (a fixed
//     IAM token). Credentials in the vendor's order: ID token, then AK/SK,
//     then a token;
//   - the vendor's credentials file, section [basic] (keys ak, sk,
//     security_token, project_id, iam_endpoint, idp_id, id_token_file):
//     HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials. A
//     missing default file is not an error; a missing named file is;
//   - the ECS metadata service, only when nothing earlier gave
//     credentials: the instance's temporary keys, and its project id and
//     region from meta_data.json. It gets two seconds at most within the
//     context, so that Load off an ECS instance fails fast.
//
// With AK/SK credentials and a region but no project id, Load asks IAM
// for the region's project (GET /v3/projects?name={region}, signed).
//
// Every error of Load is a *workspace.ConfigError; when no source gave
// credentials, its Missing lists the variables, file keys and options that
// would have.
package config
