# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for cxlmemctl(1): commands, options, and object names
# asked from cxlmemd itself (cxlmemctl --no-legend list KIND).
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) is the idiom

__cxlmemctl_objects() {
	local kind
	for kind in "$@"; do
		cxlmemctl --no-legend list "$kind" 2>/dev/null | awk '{print $1}'
	done
}

_cxlmemctl() {
	# Plain COMP_WORDS: works without the bash-completion package too.
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local words=("${COMP_WORDS[@]}") cword=$COMP_CWORD

	local verbs="status list show create-region attach-target detach-target commit
		decommit enable disable online offline attach detach delete-region poison
		ownership policy monitor"
	local global="--help --version --json --bytes --no-legend --no-ask-password"
	local -A opts=(
		[create-region]="--mode= --ways= --granularity= --memdev= --uuid= --empty"
		[disable]="--force" [offline]="--force" [delete-region]="--force"
		[online]="--zone=" [attach]="--consumer= --hold" [poison]="--force"
		[ownership]="--persist"
	)

	case $prev in
	--mode) COMPREPLY=($(compgen -W "ram pmem" -- "$cur")); return ;;
	--zone) COMPREPLY=($(compgen -W "movable normal" -- "$cur")); return ;;
	--memdev) COMPREPLY=($(compgen -W "$(__cxlmemctl_objects memdevs)" -- "$cur")); return ;;
	--ways|--granularity|--uuid|--consumer) return ;;
	esac

	# The command and the positional arguments after it.
	local i verb="" args=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--) return ;;
		-*) ;;
		*) if [ -z "$verb" ]; then verb=${words[i]}; else args+=("${words[i]}"); fi ;;
		esac
	done

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$global ${verb:+${opts[$verb]:-}}" -- "$cur"))
		[[ ${COMPREPLY[0]:-} == *= ]] && compopt -o nospace
		return
	fi

	local n=${#args[@]} words_list=""
	case $verb in
	"") words_list=$verbs ;;
	list) [ "$n" = 0 ] && words_list="memdevs windows regions ranges dax" ;;
	show) [ "$n" = 0 ] && words_list=$(__cxlmemctl_objects memdevs windows regions dax ranges) ;;
	create-region) [ "$n" = 0 ] && words_list=$(__cxlmemctl_objects windows) ;;
	attach-target)
		case $n in
		0) words_list=$(__cxlmemctl_objects regions) ;;
		1) words_list=$(__cxlmemctl_objects memdevs) ;;
		esac ;;
	detach-target|commit|decommit|enable|disable|attach|detach|delete-region)
		[ "$n" = 0 ] && words_list=$(__cxlmemctl_objects regions) ;;
	online|offline) [ "$n" = 0 ] && words_list=$(__cxlmemctl_objects regions dax) ;;
	poison)
		case $n in
		0) words_list="inject clear list" ;;
		1) words_list=$(__cxlmemctl_objects memdevs regions) ;;
		esac ;;
	ownership)
		case $n in
		0) words_list="explain set" ;;
		1) [ "${args[0]}" = set ] && words_list=$(__cxlmemctl_objects ranges) ;;
		2) [ "${args[0]}" = set ] && words_list="cxl hmem auto" ;;
		esac ;;
	policy) [ "$n" = 0 ] && words_list="reload" ;;
	esac
	COMPREPLY=($(compgen -W "$words_list" -- "$cur"))
}
complete -F _cxlmemctl cxlmemctl
