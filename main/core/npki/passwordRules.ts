// The KISA rules are pure and also run in the renderer (live feedback without sending the password over IPC).
export * from '../../../common/passwordRules'
