package config_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The configuration a program already has, read once; options given
// after cfg.Options() win (here: the fake's endpoint).
func ExampleLoad() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	env := map[string]string{ // in a program: the process's environment
		"HUAWEICLOUD_SDK_AK":         srv.AccessKey,
		"HUAWEICLOUD_SDK_SK":         srv.SecretKey,
		"HUAWEICLOUD_SDK_PROJECT_ID": srv.ProjectID,
		"HUAWEICLOUD_SDK_REGION":     "ap-southeast-3",
	}
	cfg, err := config.Load(context.Background(),
		config.WithSources(config.SourceEnv),
		config.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg)
	c, err := workspace.NewClient(append(cfg.Options(), workspace.WithEndpoint(srv.URL))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Snapshots.List(context.Background(), nil)
	fmt.Println("listed:", err == nil)
	// Output:
	// region: ap-southeast-3 (env HUAWEICLOUD_SDK_REGION)
	// project id: 0bec5db98280d2d02fd6c00c2de791ce (env HUAWEICLOUD_SDK_PROJECT_ID)
	// credentials: AK/SK (env HUAWEICLOUD_SDK_AK, env HUAWEICLOUD_SDK_SK)
	// listed: true
}

// A program tells "nothing configured" from a wrong value.
func ExampleLoad_nothingConfigured() {
	_, err := config.Load(context.Background(),
		config.WithSources(config.SourceEnv),
		config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	var ce *workspace.ConfigError
	if errors.As(err, &ce) && len(ce.Missing) > 0 {
		fmt.Println("not configured; any of:", ce.Missing)
	}
	_, err = config.Load(context.Background(), config.WithRegion("Not a region"))
	var ve *workspace.ValidationError
	fmt.Println("malformed:", errors.As(err, &ce), errors.As(err, &ve), ve.Field)
	// Output:
	// not configured; any of: [HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE HUAWEICLOUD_SDK_TOKEN]
	// malformed: true true region
}

// The vendor's credentials file, as the vendor's tools wrote it.
func ExampleWithCredentialsFile() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "credentials")
	_ = os.WriteFile(path, []byte("[basic]\nak = "+srv.AccessKey+"\nsk = "+srv.SecretKey+"\nproject_id = "+srv.ProjectID+"\n"), 0o600)

	cfg, err := config.Load(context.Background(), config.WithCredentialsFile(path), config.WithSources(config.SourceFile))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := workspace.NewClient(append(cfg.Options(), workspace.WithEndpoint(srv.URL))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Snapshots.List(context.Background(), nil)
	fmt.Println("signed with the file's keys:", err == nil)
	// Output: signed with the file's keys: true
}

// With AK/SK and a region but no project id, Load looks the project up at
// IAM.
func ExampleWithIAMEndpoint() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	env := map[string]string{"HUAWEICLOUD_SDK_AK": srv.AccessKey, "HUAWEICLOUD_SDK_SK": srv.SecretKey}
	cfg, err := config.Load(context.Background(),
		config.WithSources(config.SourceEnv),
		config.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }),
		config.WithRegion(srv.Region),
		config.WithIAMEndpoint(srv.IAMURL()), // default: https://iam.{region}.myhuaweicloud.com
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("project looked up:", cfg.ProjectID, len(srv.RequestsFor(workspacetest.OpIAMListProjects)))
	// Output: project looked up: 0bec5db98280d2d02fd6c00c2de791ce 1
}
